// Which clock a run counts contracts on when --clock is not given: the material clock when the
// source says (in its descriptor) that its materials carry event time, the wall clock otherwise,
// and the start log line says which and why.
#include "support/host_run.hpp"
#include "widget_model.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <map>

using namespace factory::testing;

namespace {

// Products per end reason, over every pclass file the widget wrote.
std::map<int, std::size_t> end_reasons(const std::filesystem::path& out) {
    std::map<int, std::size_t> n;
    for (const char* pclass : {"tcp", "udp", "icmp", "other"}) {
        auto file = out / (std::string(pclass) + ".jsonl");
        if (!std::filesystem::exists(file)) continue;
        for (const auto& j : read_jsonl(file)) ++n[j.at("end_reason").get<int>()];
    }
    return n;
}

std::map<int, std::size_t> end_reasons(const std::vector<expected_product>& products) {
    std::map<int, std::size_t> n;
    for (const auto& p : products) ++n[p.end_reason];
    return n;
}

// 30 pids, a record every 10 ms of event time, and a 2 hour pause every 400 records: with a 1 hour
// contract, event time cuts every pid's session at each pause, while the wall clock (the run takes
// seconds, not hours) cuts none.
std::vector<input_record> paused_records() { return make_records(2000, 30, 5, 10, 400, 7'200'000); }

} // namespace

TEST_CASE("jsonl with time= and no --clock: workers are fired idle by event time", "[e2e]") {
    auto dir = fresh_dir("clock_auto");
    const auto records = paused_records();
    std::ofstream(dir / "in.jsonl") << to_jsonl(records);
    auto r = run_host({"--source", "jsonl:file=in.jsonl,key=pid,time=ts,time_unit=ms", "--blueprint", "widget",
                       "--exporter", "jsonl:dir=out", "--workshops", "2", "--contract", "1h", "--inspect", "0"},
                      {.cwd = dir});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.err, Catch::Contains("clock: material (the source gives event time: its setting time; "
                                      "--clock wall to count wall time)"));
    const auto want = end_reasons(expect_sessions(records, 3'600'000));
    REQUIRE(want.at(1) >= 4 * 30); // the model: four pauses cut every pid's session
    CHECK(end_reasons(dir / "out") == want);
    std::filesystem::remove_all(dir);
}

TEST_CASE("jsonl with time= and --clock wall: the wall clock, every worker ends at shutdown", "[e2e]") {
    auto dir = fresh_dir("clock_wall");
    const auto records = paused_records();
    std::ofstream(dir / "in.jsonl") << to_jsonl(records);
    auto r = run_host({"--source", "jsonl:file=in.jsonl,key=pid,time=ts,time_unit=ms", "--blueprint", "widget",
                       "--exporter", "jsonl:dir=out", "--workshops", "2", "--contract", "1h", "--inspect", "0",
                       "--clock", "wall"},
                      {.cwd = dir});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.err, Catch::Contains("clock: wall (--clock wall)"));
    const auto got = end_reasons(dir / "out");
    CHECK(got == std::map<int, std::size_t>{{4, 30}}); // one session per pid, ended by the run's end
    std::filesystem::remove_all(dir);
}

TEST_CASE("jsonl without time=: the wall clock, and the start line says the source gives no event time", "[e2e]") {
    auto dir = fresh_dir("clock_none");
    std::ofstream(dir / "in.jsonl") << "{\"pid\":1,\"bytes\":3}\n{\"pid\":2,\"bytes\":4}\n";
    auto r = run_host({"--source", "jsonl:file=in.jsonl", "--blueprint", "widget", "--exporter", "jsonl:dir=out",
                       "--workshops", "1"},
                      {.cwd = dir});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.err, Catch::Contains("clock: wall (the source gives no event time)"));
    std::filesystem::remove_all(dir);
}
