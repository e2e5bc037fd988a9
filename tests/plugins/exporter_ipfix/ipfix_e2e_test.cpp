// The ipfix exporter in a real run of factory-host, next to the jsonl exporter: the IPFIX records
// the test's own collector receives are exactly the products jsonl writes.
#include "ipfix_reader.hpp"
#include "support/host_run.hpp"
#include "udp_receiver.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <tuple>

namespace rd = factory::testing::ipfix;

TEST_CASE("ipfix through factory-host: the records equal the jsonl exporter's products", "[e2e]") {
    using namespace factory::testing;
    factory::testing::udp_receiver rx;
    auto dir = fresh_dir("ipfix");
    auto r = run_host({"--source", "synthetic:count=3000,keys=400", "--blueprint", "widget", "--workshops", "2",
                       "--exporter", "ipfix:collector=" + rx.collector() + ",map=materials:packetDeltaCount",
                       "--exporter", "jsonl:dir=out", "--contract", "1h", "--inspect", "0"},
                      {.timeout = std::chrono::seconds(60), .cwd = dir});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE(r.summary.at("balanced") == true);

    // (pclass template, bytes, materials, first ms, last ms, protocol, end reason) -> count
    using key = std::tuple<std::uint16_t, std::uint64_t, std::uint64_t, std::uint64_t, std::uint64_t, std::uint64_t,
                           std::uint64_t>;
    std::map<key, int> want, got;
    const char* pclasses[] = {"tcp", "udp", "icmp", "other"};
    std::size_t products = 0;
    for (int i = 0; i < 4; ++i) {
        auto file = dir / "out" / (std::string(pclasses[i]) + ".jsonl");
        if (!std::filesystem::exists(file)) continue;
        for (const auto& j : read_jsonl(file)) {
            ++want[key{static_cast<std::uint16_t>(256 + 2 * i), j.at("bytes"), j.at("materials"),
                       j.at("first_seen").get<std::uint64_t>() / 1'000'000,
                       j.at("last_seen").get<std::uint64_t>() / 1'000'000, j.at("protocol"), j.at("end_reason")}];
            ++products;
        }
    }
    REQUIRE(products > 300);
    rd::template_store known;
    std::uint32_t next_sequence = 0;
    for (const auto& d : rx.drain(500)) {
        rd::message m = rd::parse(d, known);
        CHECK(m.sequence == next_sequence);
        next_sequence += static_cast<std::uint32_t>(m.records.size());
        for (const auto& rec : m.records)
            ++got[key{rec.template_id, rec.number(1), rec.number(2), rec.number(152), rec.number(153), rec.number(4),
                      rec.number(136)}];
    }
    CHECK(next_sequence == products);
    CHECK(got == want);
    CHECK(r.summary.at("exporters").at(0).at("exported") == products);
    std::filesystem::remove_all(dir);
}
