#include "source_jsonl/jsonl_source.hpp"
#include "support/fake_purchasing.hpp"
#include "support/load_plugin.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <iostream>
#include <string>

using factory::testing::fake_purchasing;
using factory::testing::temp_dir;
using factory::testing::write_file;

namespace {

const factory_descriptor* descriptor() {
    return factory::detail::source_descriptor<factory::jsonl::jsonl_source>();
}

// Replaces stdin with the read end of a pipe for the test's duration.
class stdin_pipe {
public:
    stdin_pipe() {
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        saved_ = ::dup(STDIN_FILENO);
        REQUIRE(::dup2(fds[0], STDIN_FILENO) == STDIN_FILENO);
        ::close(fds[0]);
        writer_ = fds[1];
    }
    ~stdin_pipe() {
        close_writer();
        ::dup2(saved_, STDIN_FILENO);
        ::close(saved_);
    }
    void write(const std::string& s) { REQUIRE(::write(writer_, s.data(), s.size()) == static_cast<ssize_t>(s.size())); }
    void close_writer() {
        if (writer_ >= 0) ::close(writer_);
        writer_ = -1;
    }

private:
    int saved_ = -1;
    int writer_ = -1;
};

} // namespace

TEST_CASE("each line becomes a JSON material keyed by the pid rule") {
    temp_dir d;
    write_file(d / "in.jsonl", "{\"pid\":5,\"bytes\":10}\n{\"pid\":\"abc\"}\r\n{\"pid\":5}");
    fake_purchasing p(descriptor(), {{"file", d / "in.jsonl"}});
    REQUIRE(p.open() == FACTORY_OK);
    CHECK(p.fill_to_end(100) == FACTORY_END);
    REQUIRE(p.room.materials.size() == 3);
    const auto& m = p.room.materials;
    CHECK(m[0].pid == 5);
    CHECK(m[0].text() == "{\"pid\":5,\"bytes\":10}");
    CHECK(m[0].format == FACTORY_FORMAT_JSON);
    CHECK(m[0].time_ns == 0);
    CHECK(m[1].text() == "{\"pid\":\"abc\"}"); // CR dropped
    CHECK(m[1].pid == factory::jsonl::fnv1a(factory::jsonl::fnv_offset, "abc", 3));
    CHECK(m[2].text() == "{\"pid\":5}");          // last line without a newline
    CHECK(p.room.rejects.empty());
}

TEST_CASE("check=fields lets a bad value in a member it skips through, check=all dead-letters it") {
    temp_dir d;
    // Line 2's "x" is not JSON (a leading zero); its key and the rest are fine. Every line ends
    // within the same read block, so the parser sees the next line's bytes as padding.
    write_file(d / "in.jsonl", "{\"pid\":1,\"ts\":2}\n{\"pid\":3,\"x\":01,\"ts\":4}\n{\"pid\":5,\"ts\":6}\n");
    {
        fake_purchasing p(descriptor(), {{"file", d / "in.jsonl"}, {"time", "ts"}});
        REQUIRE(p.open() == FACTORY_OK);
        CHECK(p.fill_to_end(100) == FACTORY_END);
        REQUIRE(p.room.materials.size() == 3);
        CHECK(p.room.materials[1].pid == 3);
        CHECK(p.room.materials[1].time_ns == 4'000'000'000);
        CHECK(p.room.materials[2].pid == 5);
        CHECK(p.room.rejects.empty());
    }
    {
        fake_purchasing p(descriptor(), {{"file", d / "in.jsonl"}, {"time", "ts"}, {"check", "all"}});
        REQUIRE(p.open() == FACTORY_OK);
        CHECK(p.fill_to_end(100) == FACTORY_END);
        REQUIRE(p.room.materials.size() == 2);
        CHECK(p.room.materials[1].pid == 5);
        REQUIRE(p.room.rejects.size() == 1);
        CHECK(p.room.rejects[0].reason == "line 2: invalid JSON at byte 14: expected ',' or '}' after a member");
        CHECK(p.room.rejects[0].data == "{\"pid\":3,\"x\":01,\"ts\":4}");
    }
}

TEST_CASE("bad lines are rejected with their line number and bytes, the run goes on") {
    temp_dir d;
    std::string too_long = "{\"pid\":1,\"pad\":\"" + std::string(100, 'p') + "\"}";
    write_file(d / "in.jsonl",
               "{\"pid\":1}\n"        // 1
               "{\"pid\":1,}\n"       // 2 trailing comma
               "\n"                   // 3 blank
               "{\"other\":2}\n"      // 4 no key
               "   \t\n"              // 5 blank
               + too_long + "\n"      // 6 too long
               "not json\r\n"         // 7
               "{\"pid\":2}\n");      // 8
    fake_purchasing p(descriptor(), {{"file", d / "in.jsonl"}}, 64);
    REQUIRE(p.open() == FACTORY_OK);
    CHECK(p.fill_to_end(100) == FACTORY_END);
    REQUIRE(p.room.materials.size() == 2);
    CHECK(p.room.materials[0].pid == 1);
    CHECK(p.room.materials[1].pid == 2);
    const auto& r = p.room.rejects;
    REQUIRE(r.size() == 4);
    CHECK(r[0].reason == "line 2: invalid JSON at byte 9: expected '\"' to start a key");
    CHECK(r[0].data == "{\"pid\":1,}");
    CHECK(r[1].reason == "line 4: no key field 'pid'");
    CHECK(r[1].data == "{\"other\":2}");
    CHECK(r[2].reason == "line 6: longer than the largest material (64 bytes)");
    CHECK(r[2].data == too_long.substr(0, 64));
    CHECK(r[3].reason == "line 7: invalid JSON at byte 0: expected '{': the document must be one JSON object");
    CHECK(r[3].data == "not json");
}

TEST_CASE("a line of exactly max_size bytes is a material") {
    temp_dir d;
    std::string line = "{\"pid\":3,\"pad\":\"" + std::string(64 - 18, 'q') + "\"}";
    REQUIRE(line.size() == 64);
    write_file(d / "in.jsonl", line + "\n");
    fake_purchasing p(descriptor(), {{"file", d / "in.jsonl"}}, 64);
    REQUIRE(p.open() == FACTORY_OK);
    CHECK(p.fill_to_end(10) == FACTORY_END);
    REQUIRE(p.room.materials.size() == 1);
    CHECK(p.room.materials[0].text() == line);
    CHECK(p.room.refused == 0);
}

TEST_CASE("room is respected across calls") {
    temp_dir d;
    std::string text;
    for (int i = 0; i < 25; ++i) text += "{\"pid\":" + std::to_string(i) + "}\n";
    write_file(d / "in.jsonl", text);
    fake_purchasing p(descriptor(), {{"file", d / "in.jsonl"}});
    REQUIRE(p.open() == FACTORY_OK);
    CHECK(p.fill(10) == FACTORY_OK);
    CHECK(p.room.added == 10);
    CHECK(p.fill(10) == FACTORY_OK);
    CHECK(p.room.added == 20);
    CHECK(p.fill(10) == FACTORY_END);
    CHECK(p.room.added == 25);
    CHECK(p.room.refused == 0);
    for (std::size_t i = 0; i < 25; ++i) CHECK(p.room.materials[i].pid == i);
}

TEST_CASE("event time from the time field") {
    temp_dir d;
    write_file(d / "in.jsonl", "{\"pid\":1,\"ts\":1700000000.25}\n{\"pid\":1}\n");
    fake_purchasing p(descriptor(), {{"file", d / "in.jsonl"}, {"time", "ts"}});
    REQUIRE(p.open() == FACTORY_OK);
    CHECK(p.fill_to_end(10) == FACTORY_END);
    REQUIRE(p.room.materials.size() == 1);
    CHECK(p.room.materials[0].time_ns == 1'700'000'000'250'000'000);
    REQUIRE(p.room.rejects.size() == 1);
    CHECK(p.room.rejects[0].reason == "line 2: no time field 'ts'");
}

TEST_CASE("a stopping host loses no line") {
    temp_dir d;
    write_file(d / "in.jsonl", "{\"pid\":1}\n{\"pid\":2}\n");
    fake_purchasing p(descriptor(), {{"file", d / "in.jsonl"}});
    REQUIRE(p.open() == FACTORY_OK);
    p.room.stopping = true;
    CHECK(p.fill(10) == FACTORY_OK);
    CHECK(p.room.added == 0);
    p.room.stopping = false;
    CHECK(p.fill_to_end(10) == FACTORY_END);
    REQUIRE(p.room.materials.size() == 2);
    CHECK(p.room.materials[0].pid == 1);
}

TEST_CASE("stdin through a pipe: returns while idle, reads what arrives, ends at close") {
    stdin_pipe in;
    fake_purchasing p(descriptor(), {{"file", "-"}});
    REQUIRE(p.open() == FACTORY_OK);
    CHECK(p.fill(10) == FACTORY_OK); // nothing written yet: back without materials
    CHECK(p.room.added == 0);
    in.write("{\"pid\":1}\n{\"pid\":2");
    CHECK(p.fill(10) == FACTORY_OK);
    CHECK(p.room.added == 1); // the second line has no end yet
    in.write("}\n{\"pid\":3}");
    in.close_writer();
    CHECK(p.fill_to_end(10) == FACTORY_END);
    REQUIRE(p.room.materials.size() == 3);
    CHECK(p.room.materials[1].text() == "{\"pid\":2}");
    CHECK(p.room.materials[2].pid == 3);
}

TEST_CASE("an unreadable file is an error at open with the path and the reason") {
    temp_dir d;
    fake_purchasing p(descriptor(), {{"file", d / "nope.jsonl"}});
    CHECK(p.open() == FACTORY_ERROR);
    CHECK_THAT(p.error, Catch::Contains("nope.jsonl") && Catch::Contains("No such file or directory"));
}

TEST_CASE("a bad key setting is an error at open") {
    temp_dir d;
    write_file(d / "in.jsonl", "");
    fake_purchasing p(descriptor(), {{"file", d / "in.jsonl"}, {"key", "a,"}});
    CHECK(p.open() == FACTORY_ERROR);
    CHECK_THAT(p.error, Catch::Contains("setting 'key'"));
}

TEST_CASE("the built jsonl source describes itself") {
    const factory_descriptor* d = factory::testing::load_plugin(FACTORY_TEST_PLUGIN);
    CHECK(std::string(d->name) == "jsonl");
    CHECK(d->kind == FACTORY_KIND_SOURCE);
    const auto* unit = factory::testing::find_setting(d, "time_unit");
    REQUIRE(unit != nullptr);
    CHECK(std::string(unit->choices) == "s|ms|us|ns");
    CHECK(std::string(factory::testing::find_setting(d, "file")->default_value) == "-");
    CHECK(std::string(factory::testing::find_setting(d, "key")->default_value) == "pid");
    // time= set means event time: the host picks the material clock from this flag alone.
    CHECK(factory::testing::find_setting(d, "time")->flags == FACTORY_SETTING_EVENT_TIME);
    CHECK(factory::testing::find_setting(d, "file")->flags == 0);
    REQUIRE(d->notes != nullptr);
    CHECK_THAT(d->notes, Catch::Contains("--clock wall"));
}

// A figure, not a test: ./test_plugins_source_jsonl "[bench]"
TEST_CASE("jsonl lines per second through the fake host", "[.][bench]") {
    temp_dir d;
    std::string text;
    for (int i = 0; i < 1'000'000; ++i)
        text += "{\"pid\":" + std::to_string(i % 5000) + ",\"bytes\":" + std::to_string(40 + i % 1460) +
                ",\"protocol\":\"tcp\",\"ts\":" + std::to_string(1'700'000'000'000LL + i) + "}\n";
    write_file(d / "in.jsonl", text);
    fake_purchasing p(descriptor(), {{"file", d / "in.jsonl"}, {"time", "ts"}, {"time_unit", "ms"}});
    REQUIRE(p.open() == FACTORY_OK);
    p.room.keep = false;
    auto t0 = std::chrono::steady_clock::now();
    REQUIRE(p.fill_to_end(4096) == FACTORY_END);
    std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
    REQUIRE(p.room.added == 1'000'000);
    std::cout << "jsonl: " << p.room.added / dt.count() / 1e6 << " M lines/s, " << text.size() / dt.count() / 1e9
              << " GB/s\n";
}
