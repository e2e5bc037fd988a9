// A child's end is orderly only when the host asked for it and the child says it finished its part:
// a plugin that calls exit() itself, with whatever number, is a death like a crash.
#include "supervision_support.hpp"

#include <catch2/catch.hpp>

using namespace factory::testing;
using namespace std::chrono_literals;

TEST_CASE("a blueprint that calls exit() in on_material is a death, whatever number it exits with",
          "[supervision]") {
    auto how = GENERATE(std::string("exit0"), std::string("exit2"));
    auto dir = fresh_dir("bpexit");
    write_input(dir / "in.jsonl", 20000, 12345);
    auto r = run_in(dir, {"--source", "jsonl:file=in.jsonl", "--blueprint", faulty + ":fault=" + how, "--exporter",
                          "jsonl:dir=out", "--workshops", "2", "--contract", "1h", "--dead-letter", "dead"});
    INFO(r.err);
    require_ended(r, 1);
    const auto& s = r.summary;
    CHECK(u(s, "purchased") == 20000);
    CHECK(u(s, "restarts") == 1);
    CHECK(u(s.at("dead_lettered").at("reasons"), "quarantined") == 1);
    CHECK(contains(r.err, how == "exit0" ? "died of exit code 0" : "died of exit code 2"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("an exporter that calls exit() is a death: what its warehouse held is counted lost", "[supervision]") {
    auto how = GENERATE(std::string("exit0"), std::string("exit4"));
    auto dir = fresh_dir("exexit");
    auto r = run_in(dir, {"--source", "synthetic:keys=500", "--blueprint", "widget", "--max-age", "200ms", "--rate",
                          "50000", "--duration", "2s", "--flush", "200ms", "--exporter",
                          hostile_exporter + ":fault=" + how + ",after=2,once=" + (dir / "faulted").string() +
                          ",file=" + (dir / "taken").string()});
    INFO(r.err);
    require_ended(r, 1);
    const auto& s = r.summary;
    CHECK(u(s, "restarts") == 1);
    const auto& e = s.at("exporters").at(0);
    CHECK(u(e, "lost") > 0);
    CHECK(u(s, "shipped") == u(e, "exported") + u(e, "dead_lettered") + u(e, "lost"));
    // What the books call exported is what the exporter took and flushed.
    std::uint64_t taken = 0;
    std::ifstream in(dir / "taken");
    for (std::uint64_t n = 0; in >> n;) taken += n;
    CHECK(taken == u(e, "exported"));
    CHECK(contains(r.err, "transportation (pid"));
    CHECK(contains(r.err, how == "exit0" ? "died of exit code 0" : "died of exit code 4"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("a source that calls exit() is a death: the run ends with what was purchased", "[supervision]") {
    auto how = GENERATE(std::string("exit0"), std::string("exit5"));
    auto dir = fresh_dir("srcexit");
    auto r = run_in(dir, {"--source", hostile_source + ":count=5000,fault=" + how, "--blueprint", "tally",
                          "--exporter", "null", "--workshops", "2"});
    INFO(r.err);
    require_ended(r, 1);
    const auto& s = r.summary;
    CHECK(u(s, "purchased") == 5000);
    CHECK(s.at("end_of_input") == false);
    CHECK(contains(r.err, how == "exit0" ? "purchasing died of exit code 0" : "purchasing died of exit code 5"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("a restarted workshop whose plugin will not open again: its message is logged, and the workshop is "
          "given up on",
          "[supervision]") {
    auto dir = fresh_dir("reopen");
    write_input(dir / "in.jsonl", 20000, 5000);
    auto r = run_in(dir, {"--source", "jsonl:file=in.jsonl", "--blueprint",
                          faulty + ":fault=segv,open_marker=" + (dir / "opened").string(),
                          "--exporter", "jsonl:dir=out",
                          "--workshops", "1", "--contract", "1h", "--dead-letter", "dead", "--max-restarts", "2"});
    INFO(r.err);
    require_ended(r, 1);
    const auto& s = r.summary;
    CHECK(u(s, "purchased") == 20000);
    CHECK(contains(r.err, "could not open its plugin again"));
    CHECK(contains(r.err, "opened before: refusing to open again"));
    CHECK(contains(r.err, "giving up on it"));
    // Everything after the crash was drained to the dead-letter output, nothing assembled twice.
    CHECK(u(s.at("dead_lettered"), "materials") == 20000 - u(s, "assembled") - u(s.at("lost_in_crashes"), "materials"));
    std::filesystem::remove_all(dir);
}
