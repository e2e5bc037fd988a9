// The capture maker checked by an independent reader: libpcap reads back exactly the records it
// wrote (times, lengths, bytes), in every format it writes; and its traffic holds what its
// options ask for.
#include "capture/capture.hpp"
#include "support/host_run.hpp"

#include <catch2/catch.hpp>

#include <pcap/pcap.h>

#include <set>

namespace cap = factory::capture;

namespace {

struct record {
    std::int64_t time_ns;
    std::uint32_t caplen, len;
    std::vector<std::uint8_t> bytes;
};

std::vector<record> read_with_libpcap(const std::string& path) {
    char err[PCAP_ERRBUF_SIZE];
    pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, err);
    if (p == nullptr) FAIL("libpcap cannot open " << path << ": " << err);
    std::vector<record> out;
    pcap_pkthdr* h = nullptr;
    const u_char* data = nullptr;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &data)) == 1)
        out.push_back({static_cast<std::int64_t>(h->ts.tv_sec) * 1'000'000'000 + h->ts.tv_usec, h->caplen, h->len,
                       {data, data + h->caplen}});
    CHECK(rc == PCAP_ERROR_BREAK);
    pcap_close(p);
    return out;
}

} // namespace

TEST_CASE("libpcap reads back every record the capture maker writes, in every format and byte order") {
    const auto dir = factory::testing::fresh_dir("maker");
    cap::traffic_options o;
    o.seed = 77;
    o.sessions = 60;
    o.arp = o.truncated = o.malformed = 50;
    const auto packets = cap::all_packets(o);
    for (auto fmt : {cap::file_format::pcap_us, cap::file_format::pcap_ns, cap::file_format::pcapng}) {
        for (bool be : {false, true}) {
            const std::string path = (dir / "m.cap").string();
            cap::write_packets(path, packets, {.format = fmt, .big_endian = be});
            const auto got = read_with_libpcap(path);
            REQUIRE(got.size() == packets.size());
            for (std::size_t i = 0; i < packets.size(); ++i) {
                const auto f = cap::facts_of(packets[i]);
                CHECK(got[i].time_ns == packets[i].time_ns);
                CHECK(got[i].len == f.wire_length);
                CHECK(got[i].caplen == f.captured);
                CHECK(got[i].bytes == cap::build_frame(packets[i]));
            }
        }
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("generated traffic: time order, each kind of packet, the same packets from the same options") {
    cap::traffic_options o;
    o.seed = 3;
    o.sessions = 300;
    const auto a = cap::all_packets(o);
    const auto b = cap::all_packets(o);
    REQUIRE(a.size() == b.size());
    std::set<std::uint8_t> protocols;
    std::size_t v6 = 0, vlan = 0, qinq = 0, ext = 0, frag = 0, fin = 0, rst = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(cap::build_frame(a[i]) == cap::build_frame(b[i]));
        if (i > 0) CHECK(a[i].time_ns >= a[i - 1].time_ns);
        CHECK(a[i].time_ns % 1000 == 0);
        protocols.insert(a[i].protocol);
        v6 += a[i].ip_version == 6;
        vlan += a[i].vlan_count == 1;
        qinq += a[i].vlan_count == 2;
        ext += a[i].ext_count > 0;
        frag += a[i].fragment();
        fin += (a[i].tcp_flags & cap::tcp_fin) != 0;
        rst += (a[i].tcp_flags & cap::tcp_rst) != 0;
    }
    CHECK(protocols == std::set<std::uint8_t>{cap::ip_icmp, cap::ip_tcp, cap::ip_udp, cap::ip_gre, cap::ip_icmpv6});
    for (std::size_t n : {v6, vlan, qinq, ext, frag, fin, rst}) CHECK(n > 10);
    o.seed = 4;
    CHECK(cap::all_packets(o).size() != a.size());
}

TEST_CASE("the calculation: a gap of exactly the idle timeout starts a new flow, one tick less does not") {
    const auto at = [](std::int64_t ms) {
        cap::packet_spec p;
        p.protocol = cap::ip_udp;
        p.src = cap::ipv4(10, 0, 0, 1);
        p.dst = cap::ipv4(10, 0, 0, 2);
        p.time_ns = 1'000'000'000'000 + ms * 1'000'000 + 999'000; // late in its millisecond
        return p;
    };
    const cap::flow_rules rules{.idle_ns = 10'000'000'000};
    auto run = cap::expected_flows(std::vector<cap::packet_spec>{at(0), at(9'999), at(19'999)}, rules);
    REQUIRE(run.flows.size() == 2);
    CHECK(run.flows[0].packets == 2);
    CHECK(run.flows[0].end_reason == 1);
    CHECK(run.flows[1].end_reason == 4);
    // Active timeout at first + 5 s, even with packets every second.
    std::vector<cap::packet_spec> steady;
    for (int s = 0; s <= 12; ++s) steady.push_back(at(s * 1000));
    run = cap::expected_flows(steady, {.idle_ns = 10'000'000'000, .active_ns = 5'000'000'000});
    REQUIRE(run.flows.size() == 3);
    CHECK(run.flows[0].packets == 5);
    CHECK(run.flows[0].end_reason == 2);
    CHECK(run.flows[2].end_reason == 4);
}
