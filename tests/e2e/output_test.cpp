// The file exporters' outputs across runs, through factory-host: a second run into the same
// folder is refused (exit 2, naming the file) unless told to append or replace; a second run
// while the first writes the same files is refused whatever its mode; an output folder removed in
// the middle of a run sends products to the dead-letter output with the reason, and the run is
// not clean.
#include "support/host_run.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>

using namespace factory::testing;

namespace {

std::uint64_t lines_in(const std::filesystem::path& dir) {
    std::uint64_t n = 0;
    if (!std::filesystem::exists(dir)) return 0;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".jsonl") n += read_jsonl(e.path()).size();
    return n;
}

host_result run_into(const std::filesystem::path& dir, const std::string& exporter) {
    return run_host({"--source", "synthetic:count=20000,keys=500", "--exporter", exporter}, {.cwd = dir});
}

} // namespace

TEST_CASE("a second run into the same folder: refused by default naming the file, mode=append adds, mode=replace starts afresh",
          "[e2e]") {
    auto dir = fresh_dir("rerun");
    auto first = run_into(dir, "jsonl:dir=out");
    INFO(first.err);
    REQUIRE(first.exit_code == 0);
    const std::uint64_t n = first.summary.at("exported");
    REQUIRE(lines_in(dir / "out") == n);

    auto refused = run_into(dir, "jsonl:dir=out");
    INFO(refused.err);
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.find("'out/tcp.jsonl' exists already (") != std::string::npos);
    CHECK(refused.err.find("set mode=append to add to it, or mode=replace to start it afresh") != std::string::npos);
    CHECK(lines_in(dir / "out") == n);

    auto appended = run_into(dir, "jsonl:dir=out,mode=append");
    REQUIRE(appended.exit_code == 0);
    CHECK(lines_in(dir / "out") == n + appended.summary.at("exported").get<std::uint64_t>());

    auto replaced = run_into(dir, "jsonl:dir=out,mode=replace");
    REQUIRE(replaced.exit_code == 0);
    CHECK(lines_in(dir / "out") == replaced.summary.at("exported").get<std::uint64_t>());
    CHECK_FALSE(std::filesystem::exists(dir / "out" / "tcp.jsonl.lock"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("two runs at once into the same files: the second is refused at start, naming the file", "[e2e]") {
    auto dir = fresh_dir("twice");
    host_result second;
    bool ran = false;
    host_options opt;
    opt.cwd = dir;
    opt.on_output = [&](pid_t host, const std::string& err) {
        if (ran || err.find(" ops ") == std::string::npos) return;
        ran = true; // the first run is under way: its exporter holds the files
        second = run_host({"--source", "synthetic:count=1000", "--exporter", "jsonl:dir=out,mode=append"},
                          {.timeout = std::chrono::seconds(60), .cwd = dir});
        ::kill(host, SIGTERM);
    };
    auto first = run_host({"--source", "synthetic:keys=1000", "--rate", "5000", "--contract", "100ms", "--exporter",
                           "jsonl:dir=out"},
                          opt);
    INFO(first.err << "\n--- second run:\n" << second.err);
    REQUIRE(ran);
    CHECK(second.exit_code == 2);
    CHECK(second.err.find("'out/tcp.jsonl' is being written by another run (process ") != std::string::npos);
    CHECK(first.exit_code == 0);
    REQUIRE(first.summary.is_object());
    CHECK(lines_in(dir / "out") == first.summary.at("exported").get<std::uint64_t>());
    std::filesystem::remove_all(dir);
}

TEST_CASE("the output folder removed in the middle of a run: products dead-lettered with the reason, the run not clean",
          "[e2e][faults]") {
    auto dir = fresh_dir("rmdir");
    bool removed = false;
    host_options opt;
    opt.cwd = dir;
    opt.on_output = [&](pid_t, const std::string& err) {
        if (removed || err.find(" ops ") == std::string::npos) return;
        std::filesystem::remove_all(dir / "out");
        removed = true;
    };
    auto r = run_host({"--source", "synthetic:keys=1000", "--rate", "20000", "--duration", "4s", "--contract", "100ms",
                       "--max-age", "200ms", "--flush", "200ms", "--export-retries", "1", "--retry-backoff", "10ms",
                       "--exporter", "jsonl:dir=out"},
                      opt);
    INFO(r.err);
    REQUIRE(removed);
    CHECK(r.exit_code == 1);
    REQUIRE(r.summary.is_object());
    CHECK(r.summary.at("balanced") == true);
    const auto& x = r.summary.at("exporters").at(0);
    const std::uint64_t dead = x.at("dead_lettered");
    CHECK(dead > 0);
    CHECK(x.at("lost") == 0);
    std::uint64_t with_reason = 0;
    for (const auto& j : read_jsonl(dir / "factory-dead-letter" / "transportation.jsonl"))
        with_reason += j.at("reason").get<std::string>().find("was deleted (or its folder was) while the run wrote it") !=
                       std::string::npos;
    CHECK(with_reason > 0);
    CHECK(r.err.find("was deleted (or its folder was)") != std::string::npos);
    std::filesystem::remove_all(dir);
}
