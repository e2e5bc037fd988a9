// Signals to the whole process group (timeout(1), systemd's KillMode=control-group, Ctrl-C): the
// children leave the decision to the host, so the run ends as cleanly as after one signal to it.
// And processes a plugin starts do not outlive the run; a plugin's stdout is not the output.
#include "supervision_support.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <csignal>

using namespace factory::testing;
using namespace std::chrono_literals;

TEST_CASE("SIGTERM to the whole process group ends the run as one SIGTERM to the host does", "[supervision]") {
    auto sig = GENERATE(SIGTERM, SIGINT, SIGHUP);
    auto dir = fresh_dir("groupsig");
    bool sent = false;
    host_options opt{.timeout = 60s, .cwd = dir};
    opt.own_process_group = true;
    opt.on_output = [&](pid_t host, const std::string& err) {
        if (!sent && contains(err, "running:")) {
            sent = true;
            ::kill(-host, sig); // the host leads its own group: every process of the run gets it
        }
    };
    auto r = run_host({"--source", "synthetic:keys=500", "--blueprint", "widget", "--exporter", "null",
                       "--workshops", "2", "--rate", "100000"},
                      opt);
    INFO(r.err);
    REQUIRE(sent);
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.exit_code == 0);
    const auto& s = r.summary;
    CHECK(s.at("balanced") == true);
    CHECK(s.at("clean") == true);
    CHECK(u(s, "restarts") == 0);
    CHECK(s.at("ended_by") == (sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : "SIGHUP"));
    CHECK(u(s, "purchased") == u(s, "assembled"));
    CHECK_FALSE(contains(r.err, "died of"));
    CHECK(contains(r.err, "before the end of its input"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("a process a blueprint starts does not outlive the run", "[supervision]") {
    auto dir = fresh_dir("strays");
    write_input(dir / "in.jsonl", 1000, 0);
    auto r = run_in(dir, {"--source", "jsonl:file=in.jsonl", "--blueprint",
                          faulty + ":sleeper=" + (dir / "sleeper").string(), "--exporter", "null", "--workshops", "2"});
    INFO(r.err);
    // The sleepers hold the host's stdout and stderr: a run that left them behind times out here.
    REQUIRE_FALSE(r.timed_out);
    for (int w = 0; w < 2; ++w) {
        std::ifstream in(dir / ("sleeper." + std::to_string(w)));
        pid_t pid = 0;
        REQUIRE(in >> pid);
        CHECK(::kill(pid, 0) == -1);
        CHECK(errno == ESRCH);
    }
    CHECK(contains(r.err, "a plugin left 2 processes running"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("a blueprint's writes to stdout do not mix into the stdout exporter's stream", "[supervision]") {
    auto dir = fresh_dir("stdout");
    write_input(dir / "in.jsonl", 2000, 0);
    auto r = run_in(dir, {"--source", "jsonl:file=in.jsonl", "--blueprint", faulty + ":print=true", "--exporter",
                          "stdout:format=jsonl", "--workshops", "2", "--contract", "1h"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    std::size_t products = 0;
    std::size_t at = 0;
    while (at < r.out.size()) {
        std::size_t end = r.out.find('\n', at);
        std::string line = r.out.substr(at, end - at);
        at = end == std::string::npos ? r.out.size() : end + 1;
        if (line.empty()) continue;
        CHECK(nlohmann::json::parse(line).contains("pid"));
        ++products;
    }
    CHECK(products == 50);
    CHECK(contains(r.err, "blueprint output that is not a product"));
    std::filesystem::remove_all(dir);
}
