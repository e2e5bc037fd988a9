// What a checkpoint folder refuses, and what it survives: another blueprint's state, a damaged
// snapshot (the previous checkpoint is used, and the run says so), a source that cannot resume, a
// folder others may write to, a full disk during a checkpoint.
#include "checkpoints/support.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>

#include <sys/mount.h>
#include <sys/stat.h>

using namespace factory::testing;

namespace {

std::vector<std::string> args_for(const std::string& blueprint, std::initializer_list<std::string> more = {}) {
    std::vector<std::string> a{"--source", "jsonl:file=in.jsonl,key=pid,time=ts,time_unit=ms", "--blueprint", blueprint,
                               "--exporter", "jsonl:dir=out", "--workshops", "2", "--contract", "1h",
                               "--dead-letter", "dead", "--checkpoint", "ck", "--checkpoint-every", "100ms",
                               "--on-stop", "savepoint"};
    a.insert(a.end(), more);
    return a;
}

// Runs the job until checkpoint `n` is complete, then stops it with SIGTERM (a savepoint).
host_result run_until_checkpoint(const std::filesystem::path& dir, const std::vector<std::string>& args, int n) {
    bool stopped = false;
    auto with_rate = args;
    with_rate.insert(with_rate.end(), {"--rate", "50000"});
    return run_host(with_rate,
                    signal_when(dir, "checkpoint " + std::to_string(n) + " complete", "host", SIGTERM, stopped));
}

std::vector<std::filesystem::path> epochs(const std::filesystem::path& ck) {
    std::vector<std::filesystem::path> v;
    for (const auto& e : std::filesystem::directory_iterator(ck))
        if (e.is_directory() && e.path().filename().string().rfind("epoch-", 0) == 0) v.push_back(e.path());
    std::sort(v.begin(), v.end());
    return v;
}

} // namespace

TEST_CASE("a checkpoint of another blueprint's state is refused, naming both", "[e2e][checkpoints]") {
    auto dir = fresh_dir("ck-layout");
    std::ofstream(dir / "in.jsonl") << keyed_input(100000, 100);
    auto first = run_until_checkpoint(dir, args_for("widget"), 1);
    INFO(first.err);
    REQUIRE(first.exit_code == 0);
    auto r = run_host(args_for("tally"), {.cwd = dir});
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("holds the state of blueprint widget") != std::string::npos);
    CHECK(r.err.find("which blueprint tally") != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a damaged newest checkpoint: the previous one is used, and the run says so", "[e2e][checkpoints]") {
    auto dir = fresh_dir("ck-damaged");
    std::ofstream(dir / "in.jsonl") << keyed_input(60000, 100);
    auto args = args_for("tally", {"--checkpoints-kept", "3"});
    auto first = run_until_checkpoint(dir, args, 2);
    INFO(first.err);
    REQUIRE(first.exit_code == 0);
    auto all = epochs(dir / "ck");
    REQUIRE(all.size() >= 2);
    // Flip one byte in the middle of the newest checkpoint's workshop snapshot.
    auto victim = all.back() / "workshop-1.snap";
    REQUIRE(std::filesystem::exists(victim));
    {
        std::fstream f(victim, std::ios::in | std::ios::out | std::ios::binary);
        f.seekg(static_cast<std::streamoff>(std::filesystem::file_size(victim) / 2));
        char c = 0;
        f.get(c);
        f.seekp(static_cast<std::streamoff>(std::filesystem::file_size(victim) / 2));
        f.put(static_cast<char>(c ^ 0x40));
    }
    auto r = run_host(args, {.cwd = dir});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.err.find(all.back().filename().string()) != std::string::npos);
    CHECK(r.err.find("resuming from checkpoint") != std::string::npos);
    CHECK(r.summary.at("balanced") == true);
    CHECK(count_of(r.summary, "purchased") == 60000);
    std::uint64_t total = 0;
    for (const auto& j : read_jsonl(dir / "out" / "counts.jsonl")) total += j.at("materials").get<std::uint64_t>();
    CHECK(total == 60000);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a source that cannot resume (stdin) is refused under --checkpoint, with the reason", "[e2e][checkpoints]") {
    auto dir = fresh_dir("ck-stdin");
    auto r = run_host({"--source", "jsonl:file=-", "--blueprint", "tally", "--exporter", "jsonl:dir=out",
                       "--checkpoint", "ck"},
                      {.cwd = dir, .stdin_text = keyed_input(10, 5)});
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--checkpoint") != std::string::npos);
    CHECK(r.err.find("stdin") != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a checkpoint folder others may write to is refused", "[e2e][checkpoints]") {
    auto dir = fresh_dir("ck-mode");
    std::ofstream(dir / "in.jsonl") << keyed_input(10, 5);
    std::filesystem::create_directory(dir / "ck");
    ::chmod((dir / "ck").c_str(), 0777);
    auto r = run_host(args_for("tally"), {.cwd = dir});
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("chmod go-w") != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a full disk during checkpoints: they fail with a warning, the run goes on, the last good one stays",
          "[e2e][checkpoints]") {
    auto dir = fresh_dir("ck-full");
    std::ofstream(dir / "in.jsonl") << keyed_input(200000, 20000);
    std::filesystem::create_directory(dir / "ck");
    ::chmod((dir / "ck").c_str(), 0700);
    if (::mount("tmpfs", (dir / "ck").c_str(), "tmpfs", 0, "size=256k,mode=0700") != 0) {
        WARN("cannot mount a small tmpfs here (not root?): the full-disk test is skipped");
        std::filesystem::remove_all(dir);
        return;
    }
    auto r = run_host({"--source", "jsonl:file=in.jsonl,key=pid,time=ts,time_unit=ms", "--blueprint", "widget",
                       "--exporter", "jsonl:dir=out", "--workshops", "2", "--contract", "1h", "--dead-letter", "dead",
                       "--checkpoint", "ck", "--checkpoint-every", "50ms", "--rate", "200000"},
                      {.cwd = dir});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.summary.at("balanced") == true);
    CHECK(count_of(r.summary, "purchased") == 200000);
    CHECK(r.err.find("the disk is full") != std::string::npos);
    CHECK(r.err.find("the run goes on") != std::string::npos);
    // What is there is complete and listed: every epoch folder with a MANIFEST verifies.
    auto list = run_host({"checkpoints", (dir / "ck").string()}, {.cwd = dir, .summary = false});
    CHECK(list.exit_code == 0);
    CHECK(list.out.find("complete") != std::string::npos);
    ::umount((dir / "ck").c_str());
    std::filesystem::remove_all(dir);
}
