// factory's standard metering (idle and active timeouts, FIN / RST) against pmacct on the same
// capture. pmacctd counts each one-way 5-tuple once for the whole file; factory splits it into
// flows. Summed per 5-tuple, factory's flows equal the test's own totals, and equal pmacct's
// except for exactly these differences (docs/flows.md lists them):
//   1. ICMP / ICMPv6: pmacct reports ports 0 and 0; factory 0 and type * 256 + code.
//   2. IPv4 and IPv6 fragments after the first: pmacct counts them under the first fragment's
//      ports (it remembers them by datagram id); factory under ports 0 and 0.
//   3. Frames with an 802.1ad outer tag (TPID 0x88a8, QinQ): pmacct skips them; factory counts
//      them (double 802.1Q tags, 0x8100 twice, both count).
//   4. Malformed packets (wrong IP version, IPv4 header length below 20, an IP length beyond the
//      frame, TCP data offset below 20): pmacct counts them as their headers read; factory
//      dead-letters them. Packets cut before their ports: neither counts them.
#include "support/flow_records.hpp"
#include "support/pmacct.hpp"

#include "capture/capture.hpp"

#include <catch2/catch.hpp>

namespace cap = factory::capture;
using namespace factory::testing;
using totals = std::map<cap::flow_key, cap::tuple_total>;

namespace {

void add(totals& t, const cap::flow_key& k, std::int64_t packets, std::int64_t bytes) {
    auto& x = t[k];
    x.packets = static_cast<std::uint64_t>(static_cast<std::int64_t>(x.packets) + packets);
    x.bytes = static_cast<std::uint64_t>(static_cast<std::int64_t>(x.bytes) + bytes);
    if (x.packets == 0 && x.bytes == 0) t.erase(k);
}

totals sum_per_tuple(const std::vector<cap::expected_flow>& flows) {
    totals t;
    for (const auto& f : flows) add(t, f.key, static_cast<std::int64_t>(f.packets), static_cast<std::int64_t>(f.bytes));
    return t;
}

bool is_icmp(const cap::flow_key& k) { return k.protocol == cap::ip_icmp || k.protocol == cap::ip_icmpv6; }

// Differences 1-3 applied to factory's totals, with what the capture says about each packet.
totals as_pmacct_counts(totals t, const std::vector<cap::packet_spec>& packets) {
    for (const auto& p : packets) {
        const auto f = cap::facts_of(p);
        if (f.what != cap::verdict::flow) continue;
        const auto len = static_cast<std::int64_t>(f.ip_length);
        const auto k = cap::key_of(f);
        if (p.vlan_count == 2 && p.outer_tpid == 0x88a8) {
            add(t, k, -1, -len);
        } else if (p.fragment_offset != 0) {
            cap::flow_key datagram = k;
            datagram.src_port = p.src_port;
            datagram.dst_port = p.dst_port;
            add(t, k, -1, -len);
            add(t, datagram, 1, len);
        }
    }
    totals out;
    for (const auto& [key, x] : t) {
        cap::flow_key k = key;
        if (is_icmp(k)) k.src_port = k.dst_port = 0;
        add(out, k, static_cast<std::int64_t>(x.packets), static_cast<std::int64_t>(x.bytes));
    }
    return out;
}

std::string show(const cap::flow_key& k) {
    return "proto " + std::to_string(k.protocol) + " " + address_text(k.src, k.ip_version) + ":" +
           std::to_string(k.src_port) + " > " + address_text(k.dst, k.ip_version) + ":" + std::to_string(k.dst_port);
}

void require_equal(const totals& got, const totals& want) {
    std::size_t shown = 0;
    for (const auto& [k, x] : want) {
        auto it = got.find(k);
        if ((it == got.end() || !(it->second == x)) && shown++ < 5)
            UNSCOPED_INFO("missing or different: " << show(k) << " want " << x.packets << "/" << x.bytes);
    }
    for (const auto& [k, x] : got)
        if (want.count(k) == 0 && shown++ < 10)
            UNSCOPED_INFO("unexpected: " << show(k) << " " << x.packets << "/" << x.bytes);
    CHECK(shown == 0);
    CHECK(got.size() == want.size());
}

} // namespace

TEST_CASE("factory's flows summed per 5-tuple equal pmacct's totals but for the listed differences",
          "[flows][pmacct]") {
    const auto dir = fresh_dir("pmacct");
    cap::traffic_options o;
    o.seed = 57;
    o.sessions = 500;
    o.span_ns = 300'000'000'000;
    o.pause = 15;
    o.pause_ns = 40'000'000'000;
    o.long_lived = 10;
    o.long_ns = 150'000'000'000;
    o.qinq = 20;
    o.truncated = 10;
    o.arp = 10;
    o.malformed = 0; // difference 4 has its own test below
    auto packets = cap::all_packets(o);
    // Half of the QinQ frames with two 802.1Q tags, which pmacct reads.
    for (auto& p : packets)
        if (p.vlan_count == 2 && p.vlans[0] % 2 == 1) p.outer_tpid = 0x8100;
    cap::write_packets((dir / "t.pcap").string(), packets);

    const auto r = meter(dir, "t.pcap", "", "", {"--workshops", "2", "--contract", "15s", "--max-age", "60s"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto flows = read_flows(dir / "out");
    const totals factory_totals = sum_per_tuple(flows);
    const totals pmacct_totals = run_pmacctd(dir, dir / "t.pcap");

    // factory's splits add up to the test's own totals: every flow packet counted once.
    require_equal(factory_totals, cap::totals_per_tuple(packets));
    // More flows than 5-tuples: the timeouts and FIN / RST split them.
    CHECK(flows.size() > factory_totals.size() + 50);
    // With the differences applied, exactly pmacct's totals.
    require_equal(pmacct_totals, as_pmacct_counts(factory_totals, packets));

    // Each difference occurs in this capture, so each is really asserted.
    std::size_t icmp = 0, later_fragments = 0, qinq_skipped = 0, qinq_read = 0;
    for (const auto& p : packets) {
        if (cap::facts_of(p).what != cap::verdict::flow) continue;
        icmp += p.protocol == cap::ip_icmp || p.protocol == cap::ip_icmpv6 ? 1 : 0;
        later_fragments += p.fragment_offset != 0 ? 1 : 0;
        qinq_skipped += p.vlan_count == 2 && p.outer_tpid == 0x88a8 ? 1 : 0;
        qinq_read += p.vlan_count == 2 && p.outer_tpid == 0x8100 ? 1 : 0;
    }
    CHECK(icmp > 20);
    CHECK(later_fragments > 20);
    CHECK(qinq_skipped > 20);
    CHECK(qinq_read > 20);
    CHECK(pmacct_totals != factory_totals);
    std::filesystem::remove_all(dir);
}

TEST_CASE("malformed packets: factory dead-letters them, pmacct counts them as their headers read", "[flows][pmacct]") {
    const auto dir = fresh_dir("pmacct-damage");
    std::vector<cap::packet_spec> packets;
    const auto make = [&](int i) {
        cap::packet_spec p;
        p.time_ns = 1'700'000'000'000'000'000 + i * 1'000'000'000LL;
        p.src = cap::ipv4(10, 0, 0, static_cast<std::uint8_t>(i));
        p.dst = cap::ipv4(192, 0, 2, 1);
        p.src_port = static_cast<std::uint16_t>(1000 + i);
        p.dst_port = 80;
        p.tcp_flags = cap::tcp_ack;
        p.payload = 100;
        return p;
    };
    int i = 1;
    for (auto d : {cap::damage::bad_ip_version, cap::damage::short_ihl, cap::damage::length_overrun,
                   cap::damage::short_tcp_offset}) {
        auto p = make(i++);
        p.harm = d;
        packets.push_back(p);
    }
    auto cut_ports = make(i++);
    cut_ports.snap = 14 + 20 + 2;
    packets.push_back(cut_ports);
    auto cut_ip = make(i++);
    cut_ip.snap = 14 + 12;
    packets.push_back(cut_ip);
    auto no_flags = make(i++); // ports captured, flags not: both count it
    no_flags.snap = 14 + 20 + 8;
    packets.push_back(no_flags);
    cap::write_packets((dir / "d.pcap").string(), packets);

    const auto r = meter(dir, "d.pcap", "", "", {"--workshops", "1", "--contract", "15s"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.summary.at("dead_lettered").at("materials") == 6);
    const auto flows = read_flows(dir / "out");
    REQUIRE(flows.size() == 1);
    CHECK(flows[0].key.src_port == 1007);
    CHECK(flows[0].tcp_flags == 0);

    const totals pm = run_pmacctd(dir, dir / "d.pcap");
    totals want;
    const auto key = [](const cap::packet_spec& p) {
        return cap::flow_key{4, cap::ip_tcp, p.src, p.dst, p.src_port, p.dst_port};
    };
    add(want, key(packets[0]), 1, 140);         // version 7: read as IPv4
    auto ihl = key(packets[1]);                 // IHL 4: the "TCP header" starts at the destination address
    ihl.src_port = 192 << 8 | 0;
    ihl.dst_port = 2 << 8 | 1;
    add(want, ihl, 1, 140);
    add(want, key(packets[2]), 1, 140 + 200);   // the claimed IP length
    add(want, key(packets[3]), 1, 140);         // data offset 16: ports read anyway
    add(want, key(packets[6]), 1, 140);         // cut after the ports
    require_equal(pm, want);
    std::filesystem::remove_all(dir);
}
