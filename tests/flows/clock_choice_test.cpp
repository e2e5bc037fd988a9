// A capture file metered without --clock: the pcap source says its packets carry event time, so
// the host runs on the material clock by itself, and the flows are those of `--clock material`.
#include "support/flow_records.hpp"

#include "capture/capture.hpp"

#include <catch2/catch.hpp>

namespace cap = factory::capture;
using namespace factory::testing;

TEST_CASE("a capture file without --clock is metered on packet time, and the start line says so", "[flows]") {
    const auto dir = fresh_dir("flows-clock");
    cap::traffic_options o;
    o.seed = 29;
    o.sessions = 200;
    o.span_ns = 300'000'000'000;
    o.pause = 20;                 // pauses of 40 s: flows end idle, by packet time only
    o.pause_ns = 40'000'000'000;
    o.arp = o.truncated = o.malformed = 0;
    const auto packets = cap::all_packets(o);
    cap::write_packets((dir / "t.pcap").string(), packets, {});
    const cap::expected_run want =
        cap::expected_flows(packets, cap::flow_rules{.idle_ns = 15'000'000'000, .active_ns = 60'000'000'000});

    const auto r = run_host({"--source", "pcap:file=t.pcap", "--blueprint", "flowmeter", "--exporter",
                             "jsonl:dir=out,mode=replace", "--inspect", "0", "--workshops", "2", "--contract", "15s",
                             "--max-age", "60s"},
                            {.timeout = std::chrono::seconds(120), .cwd = dir});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.err, Catch::Contains("clock: material (the source gives event time: its setting file; "
                                      "--clock wall to count wall time)"));
    // On the wall clock this run of about a second would end every flow at shutdown or FIN/RST.
    std::size_t idle = 0;
    for (const auto& f : want.flows) idle += f.end_reason == 1;
    REQUIRE(idle > 0);
    const auto got = read_flows(dir / "out");
    REQUIRE(got.size() == want.flows.size());
    for (std::size_t i = 0; i < got.size(); ++i) CHECK(describe(got[i]) == describe(want.flows[i]));
    std::filesystem::remove_all(dir);
}
