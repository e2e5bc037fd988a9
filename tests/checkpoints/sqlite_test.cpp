// Exactly once into sqlite: a run whose transportation or workshop is killed with checkpoints on
// leaves the same rows in the database as a run that never crashed (the exporter deletes what it
// wrote after the checkpoint the run rolls back to).
#include "checkpoints/support.hpp"
#include "support/child_process.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>

using namespace factory::testing;

namespace {

std::string rows_of(const std::filesystem::path& dir) {
    return run_and_read({"sqlite3", "-readonly", "-separator", " ", (dir / "out.db").string(),
                         "SELECT pid, materials, bytes, first_seen, last_seen, end_reason FROM other ORDER BY 1, 2, 3, 4, 5, 6"},
                        std::chrono::seconds(60), dir);
}

std::vector<std::string> args(std::initializer_list<std::string> more) {
    std::vector<std::string> a{"--source", "jsonl:file=in.jsonl,key=pid,time=ts,time_unit=ms", "--blueprint", "widget",
                               "--exporter", "sqlite:file=out.db", "--workshops", "2", "--contract", "1s",
                               "--max-age", "5s", "--inspect", "0", "--dead-letter", "dead"};
    a.insert(a.end(), more);
    return a;
}

} // namespace

TEST_CASE("sqlite under --checkpoint: a crashed and resumed run writes exactly the rows of an uncrashed one",
          "[e2e][checkpoints]") {
    auto victim = GENERATE(std::string("factory: transportation"), std::string("factory: workshop 2"));
    auto ref = fresh_dir("ck-sqlite-ref");
    std::ofstream(ref / "in.jsonl") << keyed_input(100000, 100);
    auto r0 = run_host(args({}), {.cwd = ref});
    INFO(r0.err);
    REQUIRE(r0.exit_code == 0);
    const std::string expected = rows_of(ref);
    REQUIRE(expected.size() > 1000);

    auto dir = fresh_dir("ck-sqlite");
    std::ofstream(dir / "in.jsonl") << keyed_input(100000, 100);
    bool killed = false;
    auto r = run_host(args({"--checkpoint", "ck", "--checkpoint-every", "100ms", "--rate", "40000",
                            "--flush", "50ms", "--log-level", "info"}),
                      signal_when(dir, "checkpoint 2 complete", victim, SIGKILL, killed));
    INFO(victim << "\n" << r.err);
    REQUIRE(killed);
    CHECK(r.summary.at("balanced") == true);
    CHECK(r.summary.at("lost_anything") == false);
    CHECK(count_of(r.summary.at("checkpoints"), "rollbacks") == 1);
    CHECK(rows_of(dir) == expected);
    std::filesystem::remove_all(ref);
    std::filesystem::remove_all(dir);
}
