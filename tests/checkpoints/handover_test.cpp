// Control frames, through factory-host with a source that keeps its workers' state
// (fixtures/handover_source.cpp): a worker the source hands over continues its count, a worker it
// releases is dropped without on_fire (it ships nothing), and neither frame is a purchase.
#include "checkpoints/support.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace factory::testing;

TEST_CASE("control frames: a worker handed over continues its count, a released one ships nothing",
          "[checkpoints][e2e]") {
    auto dir = fresh_dir("handover");
    auto r = run_host({"--source", std::string(FACTORY_HANDOVER_PLUGIN) + ":restored=5", "--blueprint", "tally",
                       "--exporter", "jsonl:dir=out", "--workshops", "2", "--contract", "1h", "--checkpoint", "ck"},
                      {.cwd = dir});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.summary.at("purchased") == 6);
    CHECK(r.summary.at("assembled") == 6);
    CHECK(r.summary.at("balanced") == true);
    std::map<std::uint64_t, std::uint64_t> counts;
    for (const auto& e : std::filesystem::directory_iterator(dir / "out"))
        if (e.path().extension() == ".jsonl")
            for (const auto& j : read_jsonl(e.path())) counts[j.at("pid").get<std::uint64_t>()] += j.at("materials").get<std::uint64_t>();
    // pid 1: 5 before the handover and 3 here; pid 2 left with its partition; pid 3 hired here.
    CHECK(counts == std::map<std::uint64_t, std::uint64_t>{{1, 8}, {3, 1}});
    std::filesystem::remove_all(dir);
}

TEST_CASE("control frames: a handed-over worker whose state size is not the blueprint's is not restored, and says so",
          "[checkpoints][e2e]") {
    auto dir = fresh_dir("handover-size");
    auto r = run_host({"--source", std::string(FACTORY_HANDOVER_PLUGIN) + ":restored=5,state_bytes=4", "--blueprint",
                       "tally", "--exporter", "jsonl:dir=out", "--workshops", "2", "--contract", "1h", "--checkpoint",
                       "ck"},
                      {.cwd = dir});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.summary.at("purchased") == 6);
    CHECK(r.err.find("the worker of pid 1 to restore has 4 bytes of state, blueprint tally keeps 8: not restored "
                     "(its next material hires it afresh)") != std::string::npos);
    std::map<std::uint64_t, std::uint64_t> counts;
    for (const auto& e : std::filesystem::directory_iterator(dir / "out"))
        if (e.path().extension() == ".jsonl")
            for (const auto& j : read_jsonl(e.path()))
                counts[j.at("pid").get<std::uint64_t>()] += j.at("materials").get<std::uint64_t>();
    CHECK(counts == std::map<std::uint64_t, std::uint64_t>{{1, 3}, {3, 1}});
    std::filesystem::remove_all(dir);
}
