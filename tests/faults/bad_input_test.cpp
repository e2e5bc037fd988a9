// Bad input through factory-host: every bad record is counted and dead-lettered with its line
// number and reason, the good ones around it are processed, and the run ends cleanly.
#include "support/fault_files.hpp"
#include "support/host_run.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <string>

using namespace factory::testing;

namespace {

// A product of the jsonl exporter's other.jsonl (the widget's pclass for protocol 0), by pid.
nlohmann::json product_of(const std::filesystem::path& out, std::uint64_t pid) {
    for (const auto& j : read_jsonl(out / "other.jsonl"))
        if (j.at("pid") == pid) return j;
    return nullptr;
}

const auto& reasons(const host_result& r) { return r.summary.at("dead_lettered").at("reasons"); }

} // namespace

TEST_CASE("malformed JSON lines: each one counted and dead-lettered with its line number and reason", "[faults]") {
    auto dir = fresh_dir("badjson");
    // Line 4 is empty and line 10 only blanks: skipped, yet counted in the line numbers. Line 8 ends
    // in CRLF; the last line has no end.
    write_file(dir / "in.jsonl", "{\"pid\":1,\"bytes\":10}\n"
                                 "{\"pid\":2,\"bytes\":5\n"
                                 "not json\n"
                                 "\n"
                                 "{\"pid\":3,\"bytes\":1,}\n"
                                 "{\"nokey\":1,\"bytes\":3}\n"
                                 "{\"pid\":4,\"s\":\"\xff\"}\n"
                                 "{\"pid\":1,\"bytes\":7}\r\n"
                                 "{\"pid\":5,\"bytes\":2} trailing\n"
                                 "  \t \n"
                                 "{\"pid\":6,\"bytes\":3}");
    auto r = run_host({"--source", "jsonl:file=in.jsonl", "--blueprint", "widget", "--exporter", "jsonl:dir=out",
                       "--workshops", "2", "--dead-letter", "dl", "--contract", "1h", "--inspect", "0"},
                      {.cwd = dir});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.summary.at("balanced") == true);
    CHECK(r.summary.at("purchased") == 9);
    CHECK(r.summary.at("assembled") == 3);
    CHECK(r.summary.at("dead_lettered").at("materials") == 6);
    CHECK(reasons(r).at("rejected_by_source") == 6);
    CHECK(reasons(r).at("blueprint_error") == 0);
    CHECK(r.summary.at("shipped") == 2);
    CHECK(r.summary.at("exported") == 2);

    auto dead = dead_letters(dir / "dl", "purchasing");
    REQUIRE(dead.size() == 6);
    const std::pair<const char*, const char*> want[] = {
        {"line 2: invalid JSON at byte 18: unexpected end: unterminated object", "{\"pid\":2,\"bytes\":5"},
        {"line 3: invalid JSON at byte 0: expected '{': the document must be one JSON object", "not json"},
        {"line 5: invalid JSON at byte 19: expected '\"' to start a key", "{\"pid\":3,\"bytes\":1,}"},
        {"line 6: no key field 'pid'", "{\"nokey\":1,\"bytes\":3}"},
        // Not text (invalid UTF-8): the dead letter keeps the bytes exactly, as hex.
        {"line 7: invalid JSON at byte 14: invalid UTF-8 in a string", nullptr},
        {"line 9: invalid JSON at byte 20: unexpected text after the object", "{\"pid\":5,\"bytes\":2} trailing"},
    };
    for (std::size_t i = 0; i < dead.size(); ++i) {
        INFO("dead letter " << i << ": " << dead[i].dump());
        CHECK(dead[i].at("stage") == "purchasing");
        CHECK(dead[i].at("reason") == want[i].first);
        if (want[i].second != nullptr)
            CHECK(dead[i].at("data") == want[i].second);
        else
            CHECK(dead[i].at("data_hex") == "7b22706964223a342c2273223a22ff227d"); // {"pid":4,"s":"\xff"}
        CHECK(dead[i].contains("time"));
    }
    // No workshop refused anything: the good lines around the bad ones were all assembled.
    CHECK(dead_letters(dir / "dl", "workshop 1").empty());
    CHECK(dead_letters(dir / "dl", "workshop 2").empty());
    auto one = product_of(dir / "out", 1);
    REQUIRE(one.is_object());
    CHECK(one.at("materials") == 2);
    CHECK(one.at("bytes") == 17);
    auto six = product_of(dir / "out", 6);
    REQUIRE(six.is_object());
    CHECK(six.at("bytes") == 3);
    std::filesystem::remove_all(dir);
}

TEST_CASE("lines longer than the largest material are dead-lettered, cut at --max-material", "[faults]") {
    auto dir = fresh_dir("toolong");
    const std::size_t max = 4096;
    // {"pid":N,"bytes":1,"pad":"xxx..."} padded to an exact length.
    auto line_of = [](int pid, std::size_t length) {
        std::string head = "{\"pid\":" + std::to_string(pid) + ",\"bytes\":1,\"pad\":\"";
        return head + std::string(length - head.size() - 2, 'x') + "\"}";
    };
    const std::string fits = line_of(1, max), over_by_one = line_of(2, max + 1), far_over = line_of(3, 3 * max + 7);
    write_file(dir / "in.jsonl", fits + "\n" + over_by_one + "\n" + far_over + "\n{\"pid\":4,\"bytes\":5}\n");
    auto r = run_host({"--source", "jsonl:file=in.jsonl", "--blueprint", "widget", "--exporter", "jsonl:dir=out",
                       "--workshops", "1", "--dead-letter", "dl", "--max-material", std::to_string(max)},
                      {.cwd = dir});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.summary.at("balanced") == true);
    CHECK(r.summary.at("purchased") == 4);
    CHECK(r.summary.at("assembled") == 2); // the line of exactly max bytes, and the short one
    CHECK(r.summary.at("dead_lettered").at("materials") == 2);
    CHECK(reasons(r).at("rejected_by_source") == 2);
    auto dead = dead_letters(dir / "dl", "purchasing");
    REQUIRE(dead.size() == 2);
    CHECK(dead[0].at("reason") == "line 2: longer than the largest material (4096 bytes)");
    CHECK(dead[0].at("data") == over_by_one.substr(0, max));
    CHECK(dead[1].at("reason") == "line 3: longer than the largest material (4096 bytes)");
    CHECK(dead[1].at("data") == far_over.substr(0, max));
    CHECK(product_of(dir / "out", 1).is_object());
    CHECK(product_of(dir / "out", 4).at("bytes") == 5);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a line that never ends (/dev/zero): dead-lettered once, and --duration or SIGTERM ends the run",
          "[faults]") {
    const bool by_signal = GENERATE(false, true);
    auto dir = fresh_dir(by_signal ? "zero-term" : "zero-duration");
    host_options opt;
    opt.cwd = dir;
    opt.timeout = std::chrono::seconds(60);
    bool sent = false;
    if (by_signal)
        opt.on_output = [&](pid_t host, const std::string& err) {
            if (!sent && err.find(" ops ") != std::string::npos) sent = ::kill(host, SIGTERM) == 0;
        };
    std::vector<std::string> args{"--source", "jsonl:file=/dev/zero", "--blueprint", "widget", "--exporter", "null",
                                  "--workshops", "1", "--dead-letter", "dl", "--max-material", "4096"};
    if (!by_signal) args.insert(args.end(), {"--duration", "2s"});
    auto r = run_host(args, opt);
    INFO(r.err);
    CHECK(sent == by_signal);
    CHECK_FALSE(r.timed_out);
    REQUIRE(r.exit_code == 0);
    CHECK(r.summary.at("balanced") == true);
    CHECK(r.summary.at("purchased") == 1);
    CHECK(r.summary.at("assembled") == 0);
    CHECK(reasons(r).at("rejected_by_source") == 1);
    auto dead = dead_letters(dir / "dl", "purchasing");
    REQUIRE(dead.size() == 1);
    CHECK(dead[0].at("reason") == "line 1: longer than the largest material (4096 bytes)");
    CHECK(dead[0].at("data_hex") == std::string(2 * 4096, '0'));
    std::filesystem::remove_all(dir);
}

TEST_CASE("a source that produces nothing ends the run at once, balanced at zero", "[faults]") {
    const bool from_stdin = GENERATE(false, true);
    INFO((from_stdin ? "empty stdin" : "empty file"));
    auto dir = fresh_dir("empty");
    write_file(dir / "in.jsonl", "");
    auto r = run_host({"--source", from_stdin ? "jsonl:file=-" : "jsonl:file=in.jsonl", "--blueprint", "widget",
                       "--exporter", "jsonl:dir=out", "--workshops", "2", "--dead-letter", "dl"},
                      {.timeout = std::chrono::seconds(60), .cwd = dir});
    INFO(r.err);
    REQUIRE_FALSE(r.timed_out);
    REQUIRE(r.exit_code == 0);
    CHECK(r.summary.at("balanced") == true);
    CHECK(r.summary.at("end_of_input") == true);
    CHECK(r.summary.at("source_failed") == false);
    for (const char* count : {"purchased", "assembled", "shipped", "exported"}) {
        INFO(count);
        CHECK(r.summary.at(count) == 0);
    }
    CHECK(r.summary.at("dead_lettered").at("materials") == 0);
    CHECK(r.summary.at("dead_lettered").at("products") == 0);
    // A clean run leaves no dead-letter folder behind, and the exporter wrote no file.
    CHECK_FALSE(std::filesystem::exists(dir / "dl"));
    CHECK(std::filesystem::is_empty(dir / "out"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("a widget material without a bytes field is dead-lettered and its worker lives on", "[faults]") {
    auto dir = fresh_dir("nobytes");
    // pid 1: a good material, one without bytes (its worker exists: on_material fails), a good one.
    // pid 2: its first material has no bytes, so no worker is hired for it.
    write_file(dir / "in.jsonl", "{\"pid\":1,\"bytes\":10}\n"
                                 "{\"pid\":1,\"size\":5}\n"
                                 "{\"pid\":2,\"size\":6}\n"
                                 "{\"pid\":1,\"bytes\":7}\n");
    auto r = run_host({"--source", "jsonl:file=in.jsonl", "--blueprint", "widget", "--exporter", "jsonl:dir=out",
                       "--workshops", "1", "--dead-letter", "dl", "--contract", "1h", "--inspect", "0"},
                      {.cwd = dir});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.summary.at("balanced") == true);
    CHECK(r.summary.at("purchased") == 4);
    CHECK(r.summary.at("assembled") == 2);
    CHECK(reasons(r).at("blueprint_error") == 2);
    CHECK(reasons(r).at("rejected_by_source") == 0);
    const auto& ws = r.summary.at("workshops").at(0);
    CHECK(ws.at("fired").at("shutdown") == 1); // one worker lived to the end: pid 1's
    CHECK(ws.at("blueprint_errors") == 2);
    CHECK(r.summary.at("shipped") == 1);

    auto dead = dead_letters(dir / "dl", "workshop 1");
    REQUIRE(dead.size() == 2);
    const std::string why = "JSON material has no field 'bytes' (setting bytes_field) for its byte count";
    CHECK(dead[0].at("reason") == "blueprint error: " + why);
    CHECK(dead[0].at("pid") == 1);
    CHECK(dead[0].at("seq") == 2);
    CHECK(dead[0].at("format") == "json");
    CHECK(dead[0].at("data") == "{\"pid\":1,\"size\":5}");
    CHECK(dead[1].at("reason") == "blueprint error: " + why); // refused by on_material: no worker kept
    CHECK(dead[1].at("pid") == 2);
    CHECK(dead[1].at("seq") == 3);
    CHECK(dead[1].at("data") == "{\"pid\":2,\"size\":6}");
    // The worker of pid 1 counted both good materials, across the bad one.
    auto one = product_of(dir / "out", 1);
    REQUIRE(one.is_object());
    CHECK(one.at("materials") == 2);
    CHECK(one.at("bytes") == 17);
    CHECK(product_of(dir / "out", 2).is_null());
    std::filesystem::remove_all(dir);
}
