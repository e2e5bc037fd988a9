// The packet decoder against the capture maker's facts: every frame of generated traffic, every
// cut of a frame, every link type and every kind of damage.
#include "source_pcap/packet_decoder.hpp"

#include "capture/capture.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <string>

namespace cap = factory::capture;
using factory::pcap::decode_frame;
using factory::pcap::verdict;

namespace {

verdict expected_verdict(cap::verdict v) {
    switch (v) {
    case cap::verdict::flow: return verdict::flow;
    case cap::verdict::not_ip: return verdict::not_ip;
    case cap::verdict::truncated: return verdict::truncated;
    case cap::verdict::malformed: return verdict::malformed;
    }
    return verdict::bad_link;
}

struct decoded {
    verdict v;
    factory_packet p;
    std::string why;
};

decoded decode(const cap::packet_spec& s) {
    const auto frame = cap::build_frame(s);
    const auto f = cap::facts_of(s);
    decoded d{};
    char why[256] = {};
    d.v = decode_frame(static_cast<std::uint32_t>(s.link), frame.data(), static_cast<std::uint32_t>(frame.size()),
                       f.wire_length, d.p, why, sizeof why);
    d.why = why;
    return d;
}

// The decoded packet says exactly what the facts say.
void require_facts(const cap::packet_spec& s) {
    const auto f = cap::facts_of(s);
    const decoded d = decode(s);
    INFO("why: " << d.why);
    REQUIRE(d.v == expected_verdict(f.what));
    if (f.what != cap::verdict::flow) {
        CHECK(!d.why.empty());
        return;
    }
    CHECK(d.p.ip_version == f.ip_version);
    CHECK(d.p.protocol == f.protocol);
    CHECK(std::memcmp(d.p.src_addr, f.src.data(), 16) == 0);
    CHECK(std::memcmp(d.p.dst_addr, f.dst.data(), 16) == 0);
    CHECK(d.p.src_port == f.src_port);
    CHECK(d.p.dst_port == f.dst_port);
    CHECK(d.p.tcp_flags == f.tcp_flags);
    CHECK(d.p.tos == f.tos);
    CHECK(d.p.ip_length == f.ip_length);
    CHECK(d.p.wire_length == f.wire_length);
    CHECK(d.p.link_length == f.link_length);
    CHECK(d.p.vlan == f.vlan);
}

cap::packet_spec tcp4() {
    cap::packet_spec s;
    s.src = cap::ipv4(10, 1, 2, 3);
    s.dst = cap::ipv4(192, 0, 2, 7);
    s.src_port = 40000;
    s.dst_port = 443;
    s.tcp_flags = cap::tcp_syn | cap::tcp_ack;
    s.tos = 0x28;
    s.payload = 100;
    return s;
}

cap::packet_spec udp6() {
    cap::packet_spec s;
    s.ip_version = 6;
    s.protocol = cap::ip_udp;
    s.src = cap::ipv6(0x2001, 0xdb8, 1, 0, 0, 0, 0, 1);
    s.dst = cap::ipv6(0x2001, 0xdb8, 2, 0, 0, 0, 0, 2);
    s.src_port = 5353;
    s.dst_port = 53;
    s.tos = 0xb8;
    s.payload = 40;
    return s;
}

} // namespace

TEST_CASE("every packet of generated traffic decodes to what the capture maker says it is") {
    cap::traffic_options o;
    o.seed = 21;
    o.sessions = 400;
    o.arp = o.truncated = o.malformed = 20;
    std::size_t flows = 0, refused = 0;
    for (const auto& s : cap::all_packets(o)) {
        require_facts(s);
        (cap::facts_of(s).what == cap::verdict::flow ? flows : refused) += 1;
    }
    CHECK(flows > 4000);
    CHECK(refused >= 20);
}

TEST_CASE("a TCP packet cut at every length: truncated until its ports are captured, flags 0 until they are") {
    for (std::uint8_t vlans = 0; vlans <= 2; ++vlans) {
        cap::packet_spec s = tcp4();
        s.vlan_count = vlans;
        s.vlans[0] = 100;
        s.vlans[1] = 200;
        const std::uint32_t need = 14u + 4u * vlans + 20 + 4;
        for (std::uint32_t snap = 1; snap < need + 30; ++snap) {
            s.snap = snap;
            INFO("vlans " << int(vlans) << " snap " << snap);
            const decoded d = decode(s);
            CHECK(d.v == (snap < need ? verdict::truncated : verdict::flow));
            if (d.v == verdict::flow) CHECK(d.p.tcp_flags == (snap >= need + 10 ? s.tcp_flags : 0));
            require_facts(s);
        }
    }
}

TEST_CASE("IPv6 cut inside its extension headers is truncated, never read beyond the capture") {
    cap::packet_spec s = udp6();
    s.ext_count = 3;
    s.ext[0] = 0;
    s.ext[1] = 60;
    s.ext[2] = 43;
    const std::uint32_t need = 14 + 40 + 24 + 4;
    for (std::uint32_t snap = 14; snap <= need + 4; ++snap) {
        s.snap = snap;
        INFO("snap " << snap);
        CHECK(decode(s).v == (snap < need ? verdict::truncated : verdict::flow));
    }
}

TEST_CASE("VLAN tags: outermost id, every TPID, link length counts them") {
    for (std::uint16_t tpid : {0x88a8, 0x8100, 0x9100}) {
        cap::packet_spec s = udp6();
        s.vlan_count = 2;
        s.vlans[0] = 3001;
        s.vlans[1] = 42;
        s.outer_tpid = tpid;
        const decoded d = decode(s);
        REQUIRE(d.v == verdict::flow);
        CHECK(d.p.vlan == 3001);
        CHECK(d.p.link_length == 22);
        CHECK(d.p.wire_length - d.p.link_length == d.p.ip_length);
    }
}

TEST_CASE("Ethernet padding is in the wire length, not in the IP length") {
    cap::packet_spec s = tcp4();
    s.payload = 0;
    s.tcp_flags = cap::tcp_ack;
    const decoded d = decode(s);
    REQUIRE(d.v == verdict::flow);
    CHECK(d.p.ip_length == 40);
    CHECK(d.p.wire_length == 60);
    CHECK(d.p.link_length == 14);
}

TEST_CASE("fragments: the first has ports, the later ones ports 0 under the datagram's protocol") {
    for (std::uint8_t v : {4, 6}) {
        cap::packet_spec first = v == 4 ? tcp4() : udp6();
        first.protocol = cap::ip_udp;
        first.ip_id = 77;
        first.more_fragments = true;
        first.payload = 1000;
        cap::packet_spec later = first;
        later.fragment_offset = 126;
        later.more_fragments = false;
        const decoded a = decode(first);
        const decoded b = decode(later);
        INFO("IPv" << int(v));
        REQUIRE(a.v == verdict::flow);
        REQUIRE(b.v == verdict::flow);
        CHECK(a.p.src_port == first.src_port);
        CHECK(a.p.dst_port == first.dst_port);
        CHECK(b.p.protocol == cap::ip_udp);
        CHECK(b.p.src_port == 0);
        CHECK(b.p.dst_port == 0);
        require_facts(first);
        require_facts(later);
    }
}

TEST_CASE("ICMP and ICMPv6: type and code in the destination port") {
    cap::packet_spec s = tcp4();
    s.protocol = cap::ip_icmp;
    s.icmp_type = 3;
    s.icmp_code = 13;
    const decoded d = decode(s);
    REQUIRE(d.v == verdict::flow);
    CHECK(d.p.src_port == 0);
    CHECK(d.p.dst_port == 3 * 256 + 13);
    cap::packet_spec s6 = udp6();
    s6.protocol = cap::ip_icmpv6;
    s6.icmp_type = 135;
    require_facts(s6);
    CHECK(decode(s6).p.dst_port == 135 * 256);
}

TEST_CASE("every kind of damage is malformed, with a reason naming the field") {
    struct kase {
        cap::damage harm;
        const char* words;
    };
    for (const kase& k : {kase{cap::damage::bad_ip_version, "IP version 7"},
                          kase{cap::damage::short_ihl, "header length 16"},
                          kase{cap::damage::length_overrun, "exceeds"},
                          kase{cap::damage::short_tcp_offset, "data offset 16"}}) {
        cap::packet_spec s = tcp4();
        s.harm = k.harm;
        const decoded d = decode(s);
        INFO(d.why);
        CHECK(d.v == verdict::malformed);
        CHECK(d.why.find("malformed") == 0);
        CHECK(d.why.find(k.words) != std::string::npos);
    }
    cap::packet_spec s6 = udp6();
    s6.harm = cap::damage::length_overrun;
    CHECK(decode(s6).v == verdict::malformed);
}

TEST_CASE("other link types: raw IP, Linux cooked, loopback, and unknown ones refused") {
    for (cap::link_type l : {cap::link_type::raw, cap::link_type::linux_sll}) {
        cap::packet_spec s = udp6();
        s.link = l;
        require_facts(s);
        s = tcp4();
        s.link = l;
        require_facts(s);
    }
    const auto ip = [] {
        cap::packet_spec s = tcp4();
        s.link = cap::link_type::raw;
        return cap::build_frame(s);
    }();
    factory_packet p;
    char why[256];
    for (std::uint32_t link : {factory::pcap::link_null, factory::pcap::link_loop}) {
        std::vector<std::uint8_t> f = {0, 0, 0, 2};
        if (link == factory::pcap::link_null) f = {2, 0, 0, 0}; // host order of a little-endian capturer
        f.insert(f.end(), ip.begin(), ip.end());
        REQUIRE(decode_frame(link, f.data(), static_cast<std::uint32_t>(f.size()), 0, p, why, sizeof why) ==
                verdict::flow);
        CHECK(p.link_length == 4);
        CHECK(p.dst_port == 443);
    }
    std::vector<std::uint8_t> sll2(20, 0);
    sll2[0] = 0x08;
    sll2.insert(sll2.end(), ip.begin(), ip.end());
    REQUIRE(decode_frame(factory::pcap::link_linux_sll2, sll2.data(), static_cast<std::uint32_t>(sll2.size()), 0, p,
                         why, sizeof why) == verdict::flow);
    CHECK(p.link_length == 20);
    CHECK(decode_frame(105, ip.data(), static_cast<std::uint32_t>(ip.size()), 0, p, why, sizeof why) ==
          verdict::bad_link);
    CHECK(std::string(why).find("link type 105") != std::string::npos);
}

TEST_CASE("ARP is not IP, and says its EtherType") {
    cap::packet_spec s;
    s.arp = true;
    const decoded d = decode(s);
    CHECK(d.v == verdict::not_ip);
    CHECK(d.why.find("0x0806") != std::string::npos);
}
