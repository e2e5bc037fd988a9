// The dead-letter writer: one JSON line per letter, text kept as text and anything else as hex,
// owner-only files and folders, and refusals (another user's folder, a planted link) counted.
#include "common/dead_letter.hpp"

#include "support/sample_products.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace factory;
using factory::testing::temp_dir;

namespace {

std::vector<nlohmann::json> lines_of(const std::filesystem::path& file) {
    std::vector<nlohmann::json> out;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
    return out;
}

unsigned mode_of(const std::filesystem::path& p) {
    struct stat st {};
    REQUIRE(::lstat(p.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

// A material of `format` with `payload`, laid out as on a production line.
std::vector<std::uint64_t> material(std::uint16_t format, const std::string& payload) {
    std::vector<std::uint64_t> words(1 + (sizeof(factory_material) + payload.size()) / 8, 0);
    auto* m = reinterpret_cast<factory_material*>(words.data());
    m->pid = 42;
    m->seq = 7;
    m->time_ns = 1'700'000'000'000'000'000;
    m->format = format;
    m->size = static_cast<std::uint32_t>(payload.size());
    std::memcpy(m + 1, payload.data(), payload.size());
    return words;
}

} // namespace

TEST_CASE("nothing is written, and no folder made, until the first letter", "[dead_letter]") {
    temp_dir t;
    dead_letter_writer dead(t.path() / "dead", "workshop 2");
    CHECK(dead.file() == t.path() / "dead" / "workshop-2.jsonl");
    CHECK_FALSE(std::filesystem::exists(t.path() / "dead"));
    CHECK(dead.written() == 0);
}

TEST_CASE("one JSON line per letter: stage, reason and the record", "[dead_letter]") {
    temp_dir t;
    dead_letter_writer dead(t.path() / "dead", "purchasing");
    dead.rejected("not JSON: expected a value at byte 1", "{oops", 5);
    auto json = material(FACTORY_FORMAT_JSON, R"({"n":1})");
    dead.material("quarantined: workshop 1 died", *reinterpret_cast<const factory_material*>(json.data()));
    auto pclasses = testing::sample_pclasses();
    std::uint64_t words[(sizeof(factory_product) + sizeof(testing::alert_record) + 7) / 8] = {};
    auto* p = reinterpret_cast<factory_product*>(words);
    p->pid = 9;
    p->pclass = 1;
    p->size = sizeof(testing::alert_record);
    auto alert = testing::make_alert(9, 3, "too hot");
    std::memcpy(p + 1, &alert, sizeof alert);
    dead.product("exporter sqlite: disk full", "sqlite", &pclasses[1], *p);
    dead.product("unknown pclass", "", nullptr, *p);

    CHECK(dead.written() == 4);
    CHECK(dead.failures() == 0);
    auto lines = lines_of(dead.file());
    REQUIRE(lines.size() == 4);
    for (const auto& l : lines) {
        CHECK(l.at("stage") == "purchasing");
        CHECK(l.at("time").get<std::string>().size() >= 20); // ISO 8601, UTC
    }
    CHECK(lines[0].at("reason") == "not JSON: expected a value at byte 1");
    CHECK(lines[0].at("data") == "{oops");
    CHECK(lines[1].at("reason") == "quarantined: workshop 1 died");
    CHECK(lines[1].at("seq") == 7);
    CHECK(lines[1].at("pid") == 42);
    CHECK(lines[1].at("time_ns") == 1'700'000'000'000'000'000);
    CHECK(lines[1].at("format") == "json");
    CHECK(lines[1].at("data") == R"({"n":1})");
    CHECK(lines[2].at("exporter") == "sqlite");
    CHECK(lines[2].at("pclass") == "alerts");
    CHECK(lines[2].at("pid") == 9);
    CHECK(lines[2].at("product").at("level") == 3);
    CHECK(lines[2].at("product").at("message") == "too hot");
    CHECK_FALSE(lines[3].contains("exporter"));
    CHECK(lines[3].at("pclass") == 1);
    CHECK(lines[3].at("data_hex").get<std::string>().substr(0, 4) == "0900"); // pid 9, little-endian
}

TEST_CASE("what is not text is kept exactly, as hex", "[dead_letter]") {
    temp_dir t;
    dead_letter_writer dead(t.path(), "purchasing");
    const unsigned char packet[] = {0x45, 0x00, 0x00, 0x1c, 0xff};
    dead.rejected("damaged packet", packet, sizeof packet);
    dead.rejected("bad UTF-8", "caf\xc3", 4);
    dead.rejected("a control character", "a\nb", 3);
    dead.rejected("tab and UTF-8 are text", "caf\xc3\xa9\tok", 8);
    auto flow = material(FACTORY_FORMAT_FLOW4, std::string("\x0a\x00\x00\x01", 4));
    dead.material("blueprint error: no reason given", *reinterpret_cast<const factory_material*>(flow.data()));
    dead.rejected("no data", nullptr, 0);

    auto lines = lines_of(dead.file());
    REQUIRE(lines.size() == 6);
    CHECK(lines[0].at("data_hex") == "4500001cff");
    CHECK_FALSE(lines[0].contains("data"));
    CHECK(lines[1].at("data_hex") == "636166c3");
    CHECK(lines[2].at("data_hex") == "610a62");
    CHECK(lines[3].at("data") == "caf\xc3\xa9\tok");
    CHECK(lines[4].at("format") == "flow4");
    CHECK(lines[4].at("data_hex") == "0a000001");
    CHECK_FALSE(lines[5].contains("data"));
    CHECK_FALSE(lines[5].contains("data_hex"));
}

TEST_CASE("owner-only: a folder it makes is 0700, its file 0600 even when it existed", "[dead_letter]") {
    temp_dir t;
    SECTION("a new folder and file") {
        dead_letter_writer dead(t.path() / "nested" / "dead", "workshop 1");
        dead.rejected("r", "x", 1);
        CHECK(mode_of(t.path() / "nested" / "dead") == 0700);
        CHECK(mode_of(dead.file()) == 0600);
    }
    SECTION("an existing file, appended to and tightened") {
        std::ofstream(t.path() / "workshop-1.jsonl") << "{\"earlier\":true}\n";
        std::filesystem::permissions(t.path() / "workshop-1.jsonl", std::filesystem::perms::owner_read |
                                                                        std::filesystem::perms::owner_write |
                                                                        std::filesystem::perms::others_read);
        dead_letter_writer dead(t.path(), "workshop 1");
        dead.rejected("r", "x", 1);
        CHECK(mode_of(dead.file()) == 0600);
        auto lines = lines_of(dead.file());
        REQUIRE(lines.size() == 2);
        CHECK(lines[0].at("earlier") == true);
        CHECK(lines[1].at("reason") == "r");
    }
    SECTION("two writers of one stage (a restarted process) append to the same file") {
        {
            dead_letter_writer first(t.path(), "workshop 1");
            first.rejected("before the crash", "x", 1);
        }
        dead_letter_writer second(t.path(), "workshop 1");
        second.rejected("after the restart", "y", 1);
        auto lines = lines_of(second.file());
        REQUIRE(lines.size() == 2);
        CHECK(lines[1].at("reason") == "after the restart");
    }
}

TEST_CASE("another user's folder is refused: every letter says it was not written, nothing is there",
          "[dead_letter]") {
    temp_dir t;
    std::filesystem::path theirs = "/"; // root's, when the tests do not run as root
    if (::geteuid() == 0) {
        theirs = t.path() / "theirs";
        std::filesystem::create_directory(theirs);
        REQUIRE(::chown(theirs.c_str(), 65534, 65534) == 0);
    }
    dead_letter_writer dead(theirs, "workshop 1");
    CHECK_FALSE(dead.rejected("r", "x", 1));
    CHECK_FALSE(dead.rejected("r", "y", 1));
    CHECK(dead.written() == 0);
    CHECK(dead.failures() == 2);
    CHECK_FALSE(std::filesystem::exists(dead.file()));
}

TEST_CASE("a folder that is a file is refused", "[dead_letter]") {
    temp_dir t;
    std::ofstream(t.path() / "dead") << "not a folder";
    dead_letter_writer dead(t.path() / "dead", "workshop 1");
    dead.rejected("r", "x", 1);
    CHECK(dead.failures() == 1);
}

TEST_CASE("a link planted where the file goes is refused, not followed (O_NOFOLLOW)", "[dead_letter]") {
    temp_dir t;
    std::filesystem::create_directory(t.path() / "dead");
    std::ofstream(t.path() / "target") << "precious\n";
    std::filesystem::create_symlink(t.path() / "target", t.path() / "dead" / "workshop-1.jsonl");
    dead_letter_writer dead(t.path() / "dead", "workshop 1");
    CHECK_FALSE(dead.rejected("r", "x", 1));
    CHECK(dead.written() == 0);
    CHECK(dead.failures() == 1);
    std::ifstream in(t.path() / "target");
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(content == "precious\n");
    CHECK(mode_of(t.path() / "target") != 0600); // not tightened through the link either
}

TEST_CASE("a full disk: the letters that do not fit say so, and no torn line is left behind", "[dead_letter]") {
    // A file size limit stands for a full disk: a write that crosses it is cut short, the next
    // ones fail (EFBIG). ctest runs each test case in a process of its own.
    temp_dir t;
    rlimit old{};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit small = old;
    small.rlim_cur = 3000;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
    dead_letter_writer dead(t.path() / "dead", "workshop 1");
    const std::string data(150, 'x');
    int kept = 0;
    for (int i = 0; i < 100; ++i)
        if (dead.rejected("line " + std::to_string(i), data.data(), data.size())) ++kept;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &old) == 0);
    CHECK(kept > 0);
    CHECK(kept < 100);
    CHECK(dead.written() == static_cast<std::uint64_t>(kept));
    CHECK(dead.failures() == static_cast<std::uint64_t>(100 - kept));
    // Every line on disk is whole: the one cut short by the limit was cut back off the file.
    auto lines = lines_of(dead.file());
    CHECK(lines.size() == static_cast<std::size_t>(kept));
    CHECK(lines.back().at("reason") == "line " + std::to_string(kept - 1));
    // Space again: the next letter is written after the last whole one.
    CHECK(dead.rejected("after", "y", 1));
    CHECK(lines_of(dead.file()).back().at("reason") == "after");
}
