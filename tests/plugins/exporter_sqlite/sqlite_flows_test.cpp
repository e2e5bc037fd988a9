// From a capture to a query: factory-host reads a capture with the pcap source and the
// flowmeter, the sqlite exporter stores the flows, and the sqlite3 tool reads back exactly the
// flows the capture maker says factory's rules give.
#include "capture/capture.hpp"
#include "support/child_process.hpp"
#include "support/host_run.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <tuple>

namespace cap = factory::capture;

namespace {

using flow_row = std::tuple<std::string, std::string, unsigned, unsigned, unsigned, std::uint64_t, std::uint64_t,
                            std::int64_t, std::int64_t, int>;

std::string text_of(const cap::address& a, std::uint8_t version) {
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(version == 4 ? AF_INET : AF_INET6, a.data(), buf, sizeof buf);
    return buf;
}

} // namespace

TEST_CASE("pcap + flowmeter into sqlite: sqlite3 reads back the flows of the capture", "[e2e]") {
    using namespace factory::testing;
    auto dir = fresh_dir("sqlite-flows");
    cap::traffic_options o;
    o.seed = 21;
    o.sessions = 300;
    const auto packets = cap::all_packets(o);
    cap::write_packets((dir / "trace.pcap").string(), packets);
    cap::flow_rules rules;
    rules.idle_ns = 15'000'000'000;
    rules.active_ns = 60'000'000'000;
    const cap::expected_run want_run = cap::expected_flows(packets, rules);

    auto r = run_host({"--source", "pcap:file=trace.pcap", "--blueprint", "flowmeter", "--clock", "material",
                       "--contract", "15s", "--max-age", "60s", "--workshops", "2", "--exporter",
                       "sqlite:file=flows.db"},
                      {.timeout = std::chrono::seconds(60), .cwd = dir});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE(r.summary.at("balanced") == true);

    std::vector<flow_row> want, got;
    for (const cap::expected_flow& f : want_run.flows)
        want.emplace_back(text_of(f.key.src, f.key.ip_version), text_of(f.key.dst, f.key.ip_version), f.key.src_port,
                          f.key.dst_port, f.key.protocol, f.packets, f.bytes, f.first_ns, f.last_ns, f.end_reason);
    std::string text = factory::testing::run_and_read(
        {"sqlite3", "-readonly", "-separator", " ", (dir / "flows.db").string(),
         "SELECT src_addr, dst_addr, src_port, dst_port, protocol, packets, bytes, first_seen, last_seen, end_reason "
         "FROM flows_ipv4 UNION ALL SELECT src_addr, dst_addr, src_port, dst_port, protocol, packets, bytes, "
         "first_seen, last_seen, end_reason FROM flows_ipv6"},
        std::chrono::seconds(30), dir);
    std::istringstream in(text);
    flow_row row;
    while (in >> std::get<0>(row) >> std::get<1>(row) >> std::get<2>(row) >> std::get<3>(row) >> std::get<4>(row) >>
           std::get<5>(row) >> std::get<6>(row) >> std::get<7>(row) >> std::get<8>(row) >> std::get<9>(row))
        got.push_back(row);
    std::sort(want.begin(), want.end());
    std::sort(got.begin(), got.end());
    REQUIRE(want.size() > 500);
    CHECK(got.size() == want.size());
    CHECK(got == want);
    std::filesystem::remove_all(dir);
}
