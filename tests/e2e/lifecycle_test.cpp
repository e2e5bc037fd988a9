// How a run starts and ends, through factory-host only: refusals before anything runs, --duration,
// SIGTERM in the middle of a run, and backpressure from a full production line.
#include "support/host_run.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>

using namespace factory::testing;

namespace {

std::uint64_t lines_in(const std::filesystem::path& dir) {
    std::uint64_t n = 0;
    if (!std::filesystem::exists(dir)) return 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) n += read_jsonl(e.path()).size();
    return n;
}

} // namespace

TEST_CASE("an unknown blueprint is refused with one line before anything starts", "[e2e]") {
    auto dir = fresh_dir("refuse");
    auto r = run_host({"--blueprint", "no_such_blueprint", "--source", "synthetic:count=10"}, {.cwd = dir});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("no_such_blueprint") != std::string::npos);
    CHECK(r.summary.is_null());
    CHECK_FALSE(std::filesystem::exists(dir / "factory-out"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("a bad setting is refused naming the plugin and the setting", "[e2e]") {
    auto dir = fresh_dir("badsetting");
    auto r = run_host({"--source", "synthetic:keys=lots"}, {.cwd = dir});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("keys") != std::string::npos);
    CHECK(r.err.find("lots") != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a hang timeout below a second is refused: the hang check runs once a second", "[e2e]") {
    auto dir = fresh_dir("hangshort");
    for (const char* t : {"1ns", "999ms"}) {
        auto r = run_host({"--source", "synthetic:count=10", "--hang-timeout", t}, {.cwd = dir});
        CHECK(r.exit_code == 2);
        CHECK(r.err.find(std::string("--hang-timeout ") + t +
                         " is below what the hang check can honour (it runs once a second): give 1s or more, or 0 "
                         "to turn it off") != std::string::npos);
        CHECK(r.summary.is_null());
    }
    for (const char* t : {"0", "1s"}) {
        auto r = run_host({"--source", "synthetic:count=10", "--exporter", "null", "--hang-timeout", t}, {.cwd = dir});
        INFO(r.err);
        CHECK(r.exit_code == 0);
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("end of input ends the run with balanced counts", "[e2e]") {
    auto dir = fresh_dir("eoi");
    auto r = run_host({"--source", "synthetic:count=200000,keys=1000", "--workshops", "2", "--exporter",
                       "jsonl:dir=out"},
                      {.cwd = dir});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.summary.at("balanced") == true);
    CHECK(r.summary.at("purchased") == 200000);
    CHECK(r.summary.at("assembled") == 200000);
    CHECK(r.summary.at("end_of_input") == true);
    // Every key was seen (200 materials per key on average) and fired once at shutdown.
    CHECK(r.summary.at("shipped") == 1000);
    CHECK(lines_in(dir / "out") == 1000);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a set duration ends an endless run with balanced counts", "[e2e]") {
    auto dir = fresh_dir("duration");
    auto r = run_host({"--source", "synthetic:keys=500", "--duration", "1s", "--workshops", "2",
                       "--exporter", "jsonl:dir=out"},
                      {.cwd = dir});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.summary.at("balanced") == true);
    CHECK(r.summary.at("purchased").get<std::uint64_t>() > 0);
    CHECK(r.summary.at("purchased") == r.summary.at("assembled"));
    CHECK(r.summary.at("exported") == lines_in(dir / "out"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("SIGTERM in the middle of a run: balanced counts, complete output, no segment left", "[e2e]") {
    auto dir = fresh_dir("sigterm");
    bool sent = false;
    host_options opt;
    opt.cwd = dir;
    opt.on_output = [&](pid_t pid, const std::string& err) {
        // Once ops has reported twice, the run is in full flow.
        std::size_t first = err.find("purchased ");
        if (!sent && first != std::string::npos && err.find("purchased ", first + 1) != std::string::npos) {
            ::kill(pid, SIGTERM);
            sent = true;
        }
    };
    auto r = run_host({"--source", "synthetic:keys=2000", "--workshops", "2", "--exporter", "jsonl:dir=out"}, opt);
    INFO(r.err);
    REQUIRE(sent);
    REQUIRE(r.exit_code == 0);
    CHECK(r.summary.at("balanced") == true);
    CHECK(r.summary.at("purchased").get<std::uint64_t>() > 0);
    CHECK(r.summary.at("left_on_lines") == 0);
    CHECK(r.summary.at("exported") == r.summary.at("shipped"));
    CHECK(lines_in(dir / "out") == r.summary.at("exported").get<std::uint64_t>());
    CHECK(r.err.find("was left behind") == std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a full production line makes purchasing wait: the backlog stays bounded", "[e2e]") {
    auto dir = fresh_dir("backpressure");
    // An unpaced source, one workshop and the smallest line: purchasing is faster than the
    // workshop, so it must wait on the full line rather than queue without bound.
    auto r = run_host({"--source", "synthetic:count=3000000,keys=100000", "--workshops", "1", "--line-size",
                       "64KiB", "--max-material", "4KiB", "--exporter", "null"},
                      {.cwd = dir});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.summary.at("balanced") == true);
    CHECK(r.summary.at("purchasing").at("waits").get<std::uint64_t>() > 0);
    // The most materials a 64 KiB line can hold at 72 bytes each.
    CHECK(r.summary.at("purchasing").at("max_line_backlog").get<std::uint64_t>() <= 65536 / 72);
    std::filesystem::remove_all(dir);
}
