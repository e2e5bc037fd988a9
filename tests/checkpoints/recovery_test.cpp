// Checkpoints through factory-host: a run that crashes (any process, or the whole host) and resumes
// writes the same products, to the byte, as one that never crashed; the books balance with the
// replay counted and nothing lost. Runs use event time (the material clock), so every contract and
// maximum age falls on the same materials whatever the timing.
#include "checkpoints/support.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <sstream>

using namespace factory::testing;

namespace {

constexpr std::size_t input_lines = 150000;

std::vector<std::string> job_args(const std::string& extra_source = "") {
    return {"--source", "jsonl:file=in.jsonl,key=pid,time=ts,time_unit=ms" + extra_source,
            "--blueprint", "widget", "--exporter", "jsonl:dir=out", "--contract", "1s", "--max-age", "5s",
            "--inspect", "0", "--dead-letter", "dead", "--log-level", "info"};
}

std::vector<std::string> with(std::vector<std::string> args, std::initializer_list<std::string> more) {
    args.insert(args.end(), more);
    return args;
}

// The products of the same job run once, without checkpoints or crashes.
const std::vector<std::string>& reference() {
    static const std::vector<std::string> products = [] {
        auto dir = fresh_dir("ck-ref");
        std::ofstream(dir / "in.jsonl") << keyed_input(input_lines, 100);
        auto r = run_host(with(job_args(), {"--workshops", "2"}), {.cwd = dir});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        auto p = sorted_products(dir / "out");
        std::filesystem::remove_all(dir);
        return p;
    }();
    return products;
}

void require_job_books(const host_result& r) {
    const auto& s = r.summary;
    REQUIRE(s.is_object());
    CHECK(s.at("balanced") == true);
    CHECK(s.at("lost_anything") == false);
    CHECK(count_of(s, "purchased") == input_lines);
    CHECK(count_of(s, "assembled") == input_lines);
    CHECK(count_of(s.at("lost_in_crashes"), "materials") == 0);
    CHECK(count_of(s, "exported") == count_of(s, "shipped"));
}

} // namespace

TEST_CASE("kill -9 of one process with checkpoints on: rolled back, replayed, the same products",
          "[e2e][checkpoints]") {
    const auto& expected = reference();
    REQUIRE(expected.size() > 1000);
    auto victim = GENERATE(std::string("factory: workshop 1"), std::string("factory: purchasing"),
                           std::string("factory: transportation"));
    auto dir = fresh_dir("ck-kill");
    std::ofstream(dir / "in.jsonl") << keyed_input(input_lines, 100);
    bool killed = false;
    auto r = run_host(with(job_args(), {"--workshops", "2", "--checkpoint", "ck", "--checkpoint-every", "100ms",
                                        "--rate", "75000"}),
                      signal_when(dir, "checkpoint 2 complete", victim, SIGKILL, killed));
    INFO(victim << "\n" << r.err);
    REQUIRE(killed);
    CHECK(r.exit_code == 1); // nothing lost, but a process crashed: not clean
    require_job_books(r);
    CHECK(count_of(r.summary.at("checkpoints"), "rollbacks") == 1);
    CHECK(count_of(r.summary.at("checkpoints"), "replayed") > 0);
    CHECK(r.err.find("roll the factory back to checkpoint") != std::string::npos);
    CHECK(sorted_products(dir / "out") == expected);
    std::filesystem::remove_all(dir);
}

TEST_CASE("kill -9 of the whole host: the next run with the same folder resumes, the same products",
          "[e2e][checkpoints]") {
    const auto& expected = reference();
    auto dir = fresh_dir("ck-power");
    std::ofstream(dir / "in.jsonl") << keyed_input(input_lines, 100);
    bool killed = false;
    auto args = with(job_args(), {"--workshops", "2", "--checkpoint", "ck", "--checkpoint-every", "100ms"});
    auto first = run_host(with(args, {"--rate", "75000"}), signal_when(dir, "checkpoint 2 complete", "", SIGKILL, killed));
    INFO(first.err);
    REQUIRE(killed);
    auto second = run_host(args, {.cwd = dir});
    INFO(second.err);
    CHECK(second.exit_code == 0);
    require_job_books(second);
    CHECK(second.summary.at("checkpoints").at("resumed") == true);
    CHECK(count_of(second.summary.at("checkpoints"), "resumed_from") >= 2);
    CHECK(second.err.find("resuming from checkpoint") != std::string::npos);
    CHECK(sorted_products(dir / "out") == expected);
    // The job is done: a third run is refused rather than reading the input again.
    auto third = run_host(args, {.cwd = dir});
    CHECK(third.exit_code == 2);
    CHECK(third.err.find("has finished: its input ended at checkpoint") != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a blueprint that crashes on one material with checkpoints on: quarantined once, never replayed",
          "[e2e][checkpoints]") {
    auto dir = fresh_dir("ck-poison");
    std::ofstream(dir / "in.jsonl") << keyed_input(20000, 50, 12345);
    auto r = run_host({"--source", "jsonl:file=in.jsonl,key=pid,time=ts,time_unit=ms", "--blueprint",
                       std::string(FACTORY_FAULTY_PLUGIN) + ":fault=segv", "--exporter", "jsonl:dir=out",
                       "--workshops", "2", "--contract", "1h", "--dead-letter", "dead", "--checkpoint", "ck",
                       "--checkpoint-every", "50ms", "--rate", "40000"},
                      {.cwd = dir});
    INFO(r.err);
    CHECK(r.exit_code == 1);
    const auto& s = r.summary;
    CHECK(s.at("balanced") == true);
    CHECK(s.at("lost_anything") == false);
    CHECK(count_of(s.at("dead_lettered").at("reasons"), "quarantined") == 1);
    CHECK(count_of(s, "assembled") == 20000 - 1);
    CHECK(count_of(s.at("checkpoints"), "rollbacks") == 1);
    // Every pid's count is whole: nothing counted twice by the replay.
    std::uint64_t total = 0;
    for (const auto& j : read_jsonl(dir / "out" / "tally.jsonl")) total += j.at("materials").get<std::uint64_t>();
    CHECK(total == 20000 - 1);
    std::vector<nlohmann::json> dead;
    for (const auto& e : std::filesystem::directory_iterator(dir / "dead"))
        for (auto& j : read_jsonl(e.path())) dead.push_back(j);
    REQUIRE(dead.size() == 1);
    CHECK(dead[0].at("data").get<std::string>().find("\"n\":12345") != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("stop with a savepoint and continue, across 1, 2 and 4 workshops: the same products",
          "[e2e][checkpoints]") {
    const auto& expected = reference();
    auto dir = fresh_dir("ck-save");
    std::ofstream(dir / "in.jsonl") << keyed_input(input_lines, 100);
    auto args = with(job_args(), {"--checkpoint", "ck", "--checkpoint-every", "200ms", "--on-stop", "savepoint"});
    std::uint64_t kept = 0;
    for (const char* workshops : {"1", "2"}) {
        bool stopped = false;
        auto r = run_host(with(args, {"--workshops", workshops, "--rate", "100000"}),
                          signal_when(dir, any_checkpoint, "host", SIGTERM, stopped));
        INFO(r.err);
        REQUIRE(stopped);
        CHECK(r.exit_code == 0);
        CHECK(r.summary.at("balanced") == true);
        kept = count_of(r.summary.at("checkpoints"), "kept_workers");
        CHECK(kept > 0);
        CHECK(r.err.find("a savepoint: the next run continues its workers") != std::string::npos);
    }
    auto last = run_host(with(args, {"--workshops", "4"}), {.cwd = dir});
    INFO(last.err);
    CHECK(last.exit_code == 0);
    require_job_books(last);
    CHECK(last.err.find("taken with 2 workshops") != std::string::npos);
    CHECK(sorted_products(dir / "out") == expected);
    std::filesystem::remove_all(dir);
}

TEST_CASE("an upgrade mid-stream: widget's savepoint continued by widget_v2, whose state differs",
          "[e2e][checkpoints]") {
    const auto& expected = reference();
    auto dir = fresh_dir("ck-upgrade");
    std::ofstream(dir / "in.jsonl") << keyed_input(input_lines, 100);
    auto args = with(job_args(), {"--workshops", "2", "--checkpoint", "ck", "--checkpoint-every", "200ms",
                                  "--on-stop", "savepoint"});
    bool stopped = false;
    auto first = run_host(with(args, {"--rate", "100000"}), signal_when(dir, any_checkpoint, "host", SIGTERM, stopped));
    INFO(first.err);
    REQUIRE(stopped);
    REQUIRE(count_of(first.summary.at("checkpoints"), "kept_workers") > 0);
    auto upgraded = args;
    upgraded[3] = FACTORY_WIDGET_V2; // --blueprint widget -> the fixture
    auto second = run_host(upgraded, {.cwd = dir});
    INFO(second.err);
    CHECK(second.exit_code == 0);
    require_job_books(second);
    CHECK(second.err.find("upgrading the state of widget") != std::string::npos);
    CHECK(sorted_products(dir / "out") == expected);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a factory that keeps crashing past --max-restarts gives up with its books and summary written",
          "[e2e][checkpoints]") {
    auto dir = fresh_dir("ck-give-up");
    // Three poisoned materials far apart: each crash is one rollback, and --max-restarts 1 allows one.
    {
        std::istringstream lines(keyed_input(20000, 50, 3000));
        std::ofstream out(dir / "in.jsonl");
        std::size_t n = 0;
        for (std::string line; std::getline(lines, line);) {
            if (++n == 9000 || n == 15000) line.insert(line.size() - 1, ",\"poison\":true");
            out << line << '\n';
        }
    }
    auto r = run_host({"--source", "jsonl:file=in.jsonl,key=pid,time=ts,time_unit=ms", "--blueprint",
                       std::string(FACTORY_FAULTY_PLUGIN) + ":fault=segv", "--exporter", "jsonl:dir=out",
                       "--workshops", "2", "--contract", "1h", "--dead-letter", "dead", "--checkpoint", "ck",
                       "--checkpoint-every", "50ms", "--rate", "40000", "--max-restarts", "1"},
                      {.cwd = dir});
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("giving up") != std::string::npos);
    REQUIRE(r.summary.is_object());
    CHECK(r.summary.at("clean") == false);
    CHECK(r.summary.at("ended_by") == "rollbacks: gave up");
    CHECK(count_of(r.summary.at("checkpoints"), "rollbacks") == 2);
    CHECK(count_of(r.summary.at("dead_lettered").at("reasons"), "quarantined") == 2);
    std::filesystem::remove_all(dir);
}
