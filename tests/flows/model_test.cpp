// factory-host with the pcap source and the flowmeter, on captures from the capture maker, against
// the test's own calculation (capture/expected.hpp): every flow record equal, field by field, on
// any number of workshops and in either file format; every packet accounted for.
#include "support/flow_records.hpp"

#include "capture/capture.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <set>

namespace cap = factory::capture;
using namespace factory::testing;

namespace {

// Sessions with pauses longer than the idle timeout, sessions longer than the active timeout,
// and every kind of packet the capture maker makes.
cap::traffic_options rich_traffic(std::uint64_t seed) {
    cap::traffic_options o;
    o.seed = seed;
    o.sessions = 400;
    o.span_ns = 300'000'000'000;
    o.pause = 15;
    o.pause_ns = 40'000'000'000;
    o.long_lived = 10;
    o.long_ns = 200'000'000'000;
    o.arp = o.truncated = o.malformed = 10;
    return o;
}

void require_same_flows(const std::vector<cap::expected_flow>& got, const std::vector<cap::expected_flow>& want) {
    REQUIRE(!want.empty());
    std::size_t shown = 0;
    const std::size_t n = std::min(got.size(), want.size());
    for (std::size_t i = 0; i < n && shown < 5; ++i) {
        if (describe(got[i]) != describe(want[i])) {
            UNSCOPED_INFO("record " << i << "\n  got  " << describe(got[i]) << "\n  want " << describe(want[i]));
            ++shown;
        }
    }
    CHECK(shown == 0);
    REQUIRE(got.size() == want.size());
}

std::vector<std::string> dead_letter_reasons(const std::filesystem::path& dir) {
    std::vector<std::string> reasons;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        for (const auto& j : read_jsonl(entry.path())) reasons.push_back(j.at("reason").get<std::string>());
    std::sort(reasons.begin(), reasons.end());
    return reasons;
}

} // namespace

TEST_CASE("standard metering: idle and active timeouts, FIN and RST, record for record", "[flows]") {
    const int workshops = GENERATE(1, 2, 3);
    const auto format = GENERATE(cap::file_format::pcap_us, cap::file_format::pcapng);
    const auto dir = fresh_dir("flows");
    const auto packets = cap::all_packets(rich_traffic(17));
    cap::write_packets((dir / "t.cap").string(), packets, {.format = format});
    const cap::flow_rules rules{.idle_ns = 15'000'000'000, .active_ns = 60'000'000'000};
    const cap::expected_run want = cap::expected_flows(packets, rules);

    const auto r = meter(dir, "t.cap", "", "", {"--workshops", std::to_string(workshops), "--contract", "15s",
                                                "--max-age", "60s"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE(r.summary.at("balanced") == true);
    CHECK(r.summary.at("purchased") == want.flow_packets + want.rejected.size());
    CHECK(r.summary.at("assembled") == want.flow_packets);
    CHECK(r.summary.at("dead_lettered").at("materials") == want.rejected.size());
    CHECK(r.summary.at("exported") == want.flows.size());

    // Every end reason occurs, so each rule is exercised.
    std::set<int> reasons;
    for (const auto& f : want.flows) reasons.insert(f.end_reason);
    CHECK(reasons == std::set<int>{1, 2, 3, 4});
    require_same_flows(read_flows(dir / "out"), want.flows);

    // Each dead letter names its packet.
    std::vector<std::string> expected_reasons;
    for (const auto& x : want.rejected)
        expected_reasons.push_back("packet " + std::to_string(x.number) + ": " +
                                   (x.why == cap::verdict::truncated ? "truncated" : "malformed"));
    std::sort(expected_reasons.begin(), expected_reasons.end());
    const auto got_reasons = dead_letter_reasons(dir / "dead");
    REQUIRE(got_reasons.size() == expected_reasons.size());
    for (std::size_t i = 0; i < got_reasons.size(); ++i) CHECK(got_reasons[i].find(expected_reasons[i]) == 0);
    std::filesystem::remove_all(dir);
}

TEST_CASE("the same run twice gives the same records: results do not depend on read speed", "[flows]") {
    const auto dir = fresh_dir("flows-repeat");
    cap::write_traffic((dir / "t.pcap").string(), rich_traffic(23));
    std::vector<std::vector<cap::expected_flow>> runs;
    for (const char* line : {"4MiB", "16KiB"}) {
        // A tiny production line makes purchasing wait on the workshops all the time.
        const auto r = meter(dir, "t.pcap", "", "", {"--workshops", "2", "--contract", "15s", "--max-age", "60s",
                                                     "--line-size", line, "--max-material", "1KiB"});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        runs.push_back(read_flows(dir / "out"));
    }
    REQUIRE(!runs[0].empty());
    require_same_flows(runs[1], runs[0]);
    std::filesystem::remove_all(dir);
}

TEST_CASE("biflow keys, wire bytes, no idle end within the file: softflowd's file mode", "[flows]") {
    const auto dir = fresh_dir("flows-biflow");
    cap::traffic_options o = rich_traffic(31);
    const auto packets = cap::all_packets(o);
    cap::write_packets((dir / "t.pcap").string(), packets);
    const cap::flow_rules rules{.idle_ns = 3'600'000'000'000,
                                .end_on_fin = false,
                                .end_on_rst = false,
                                .bytes = cap::byte_rule::wire,
                                .key = cap::key_mode::biflow};
    const auto want = cap::expected_flows(packets, rules);
    const auto r = meter(dir, "t.pcap", ",key=biflow", ":bytes=wire,end_on_fin=false,end_on_rst=false",
                         {"--workshops", "2", "--contract", "1h"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    require_same_flows(read_flows(dir / "out"), want.flows);
    // Biflows: every record ended at shutdown, and both directions of a conversation share times.
    for (const auto& f : want.flows) CHECK(f.end_reason == 4);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a capture cut in the middle of a record: the flows before it, the cut dead-lettered", "[flows]") {
    const auto dir = fresh_dir("flows-cut");
    cap::traffic_options o = rich_traffic(41);
    o.sessions = 100;
    o.arp = o.truncated = o.malformed = 0;
    auto packets = cap::all_packets(o);
    cap::write_packets((dir / "t.pcap").string(), packets);
    cap::truncate_to((dir / "t.pcap").string(), std::filesystem::file_size(dir / "t.pcap") - 5);
    packets.pop_back();
    const auto want = cap::expected_flows(packets, {.idle_ns = 15'000'000'000});
    const auto r = meter(dir, "t.pcap", "", "", {"--workshops", "2", "--contract", "15s"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE(r.summary.at("balanced") == true);
    CHECK(r.summary.at("dead_lettered").at("materials") == 1);
    CHECK(r.err.find("damaged") != std::string::npos);
    require_same_flows(read_flows(dir / "out"), want.flows);
    const auto reasons = dead_letter_reasons(dir / "dead");
    REQUIRE(reasons.size() == 1);
    CHECK(reasons[0].find("ends inside a record") != std::string::npos);
    std::filesystem::remove_all(dir);
}
