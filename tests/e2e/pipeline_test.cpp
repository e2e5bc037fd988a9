// The whole factory through factory-host only: a jsonl input whose per-pid results the test
// computes itself, checked product by product, for 1, 2 and 4 workshops.
#include "support/host_run.hpp"
#include "widget_model.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>

using namespace factory::testing;

namespace {

std::vector<expected_product> products_in(const std::filesystem::path& dir) {
    std::vector<expected_product> got;
    for (const char* pclass : {"tcp", "udp", "icmp", "other"}) {
        auto file = dir / (std::string(pclass) + ".jsonl");
        if (!std::filesystem::exists(file)) continue;
        for (const auto& j : read_jsonl(file))
            got.push_back({j.at("pid").get<std::uint64_t>(), j.at("materials").get<std::uint64_t>(),
                           j.at("bytes").get<std::uint64_t>(), j.at("first_seen").get<std::int64_t>(),
                           j.at("last_seen").get<std::int64_t>(), pclass, j.at("end_reason").get<int>()});
    }
    return got;
}

void sort_products(std::vector<expected_product>& v) {
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.key() < b.key(); });
}

void require_same(std::vector<expected_product> got, std::vector<expected_product> want) {
    sort_products(got);
    sort_products(want);
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        INFO("product " << i << " pid " << want[i].pid);
        CHECK(got[i].pid == want[i].pid);
        CHECK(got[i].materials == want[i].materials);
        CHECK(got[i].bytes == want[i].bytes);
        CHECK(got[i].first_ns == want[i].first_ns);
        CHECK(got[i].last_ns == want[i].last_ns);
        CHECK(got[i].pclass == want[i].pclass);
        CHECK(got[i].end_reason == want[i].end_reason);
    }
}

} // namespace

TEST_CASE("widget over jsonl: every product as computed independently", "[e2e]") {
    auto workshops = GENERATE(1, 2, 4);
    auto dir = fresh_dir("widget");
    auto records = make_records(20000, 300, 7);
    {
        std::ofstream(dir / "in.jsonl") << to_jsonl(records);
    }
    // A contract longer than the input: every worker lives to the end and is fired at shutdown.
    auto r = run_host({"--source", "jsonl:file=in.jsonl,key=pid,time=ts,time_unit=ms", "--blueprint", "widget",
                       "--exporter", "jsonl:dir=out", "--workshops", std::to_string(workshops), "--clock",
                       "material", "--contract", "1h", "--inspect", "0"},
                      {.cwd = dir});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE(r.summary.at("balanced") == true);
    CHECK(r.summary.at("purchased") == records.size());
    CHECK(r.summary.at("assembled") == records.size());
    CHECK(r.summary.at("workshops").size() == static_cast<std::size_t>(workshops));
    auto want = expect_sessions(records, 3'600'000);
    CHECK(r.summary.at("shipped") == want.size());
    CHECK(r.summary.at("exported") == want.size());
    require_same(products_in(dir / "out"), want);
    std::filesystem::remove_all(dir);
}

TEST_CASE("material clock: idle contracts split sessions the same way on any number of workshops", "[e2e]") {
    auto workshops = GENERATE(1, 2, 4);
    auto dir = fresh_dir("sessions");
    // 40 pids, a record every 5 ms of capture time, and every 500th record after a 30 s pause:
    // with a 10 s contract, every pid's session is cut at each pause.
    auto records = make_records(6000, 40, 11, 5, 500, 30'000);
    {
        std::ofstream(dir / "in.jsonl") << to_jsonl(records);
    }
    auto r = run_host({"--source", "jsonl:file=in.jsonl,key=pid,time=ts,time_unit=ms", "--blueprint", "widget",
                       "--exporter", "jsonl:dir=out", "--workshops", std::to_string(workshops), "--clock",
                       "material", "--contract", "10s", "--inspect", "0"},
                      {.cwd = dir});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE(r.summary.at("balanced") == true);
    auto want = expect_sessions(records, 10'000);
    REQUIRE(want.size() > 40 * 10);
    require_same(products_in(dir / "out"), want);
    std::filesystem::remove_all(dir);
}
