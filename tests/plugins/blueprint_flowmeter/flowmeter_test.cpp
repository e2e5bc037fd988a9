// The flowmeter through its C hooks in a fake workshop: what a flow counts, the records it ships
// per direction, the end on FIN / RST, the byte rules, and what it refuses.
#include "blueprint_flowmeter/flowmeter.hpp"

#include "capture/capture.hpp"
#include "support/fake_workshop.hpp"
#include "support/load_plugin.hpp"

#include <catch2/catch.hpp>

#include <cstring>

namespace cap = factory::capture;
namespace fm = factory::flowmeter;
using factory::testing::fake_workshop;

namespace {

const factory_descriptor* descriptor() {
    return factory::detail::blueprint_descriptor<fm::flowmeter>();
}

// The material the pcap source would make of a packet (from the capture maker's facts, not by
// decoding).
factory_packet packet_of(const cap::packet_spec& s, std::uint64_t number) {
    const cap::packet_facts f = cap::facts_of(s);
    factory_packet p{};
    std::memcpy(p.src_addr, f.src.data(), 16);
    std::memcpy(p.dst_addr, f.dst.data(), 16);
    p.src_port = f.src_port;
    p.dst_port = f.dst_port;
    p.ip_version = f.ip_version;
    p.protocol = f.protocol;
    p.tcp_flags = f.tcp_flags;
    p.tos = f.tos;
    p.ip_length = f.ip_length;
    p.wire_length = f.wire_length;
    p.link_length = f.link_length;
    p.vlan = f.vlan;
    p.if_index = s.if_index;
    p.packet_number = number;
    return p;
}

int feed(fake_workshop& w, std::uint64_t pid, const cap::packet_spec& s, std::uint64_t number) {
    const factory_packet p = packet_of(s, number);
    return w.feed(pid, s.time_ns, FACTORY_FORMAT_PACKET, &p, sizeof p);
}

cap::packet_spec tcp(std::int64_t t, std::uint8_t flags, std::uint32_t payload) {
    cap::packet_spec s;
    s.time_ns = t;
    s.src = cap::ipv4(10, 0, 0, 1);
    s.dst = cap::ipv4(192, 0, 2, 80);
    s.src_port = 51000;
    s.dst_port = 80;
    s.tcp_flags = flags;
    s.payload = payload;
    s.vlan_count = 1;
    s.vlans[0] = 12;
    s.tos = 0x10;
    return s;
}

cap::packet_spec reversed(cap::packet_spec s) {
    std::swap(s.src, s.dst);
    std::swap(s.src_port, s.dst_port);
    return s;
}

} // namespace

TEST_CASE("the built plugin loads, with two product classes by IP version") {
    const factory_descriptor* d = factory::testing::load_plugin(FACTORY_TEST_PLUGIN);
    REQUIRE(std::string(d->name) == "flowmeter");
    REQUIRE(d->pclass_count == 2);
    CHECK(std::string(d->pclasses[0].name) == "flows_ipv4");
    CHECK(std::string(d->pclasses[1].name) == "flows_ipv6");
    CHECK(d->pclasses[0].record_size == sizeof(fm::flow_v4));
    CHECK(d->pclasses[1].record_size == sizeof(fm::flow_v6));
    CHECK(d->state_size == sizeof(fm::flow_state));
}

TEST_CASE("a one-way flow: packets, IP bytes, first and last time, OR of flags, its end reason") {
    fake_workshop w(descriptor());
    REQUIRE(feed(w, 7, tcp(1'000'000'000, cap::tcp_syn, 0), 1) == FACTORY_OK);
    REQUIRE(feed(w, 7, tcp(1'500'000'000, cap::tcp_ack, 0), 2) == FACTORY_OK);
    REQUIRE(feed(w, 7, tcp(2'250'000'123, cap::tcp_psh | cap::tcp_ack, 1000), 5) == FACTORY_OK);
    w.fire(7, FACTORY_FIRED_IDLE);
    REQUIRE(w.host.products.size() == 1);
    const auto& prod = w.host.products[0];
    CHECK(prod.pid == 7);
    CHECK(prod.pclass == fm::pclass_ipv4);
    const auto r = prod.as<fm::flow_v4>();
    CHECK(r.packets == 3);
    CHECK(r.bytes == 40 + 40 + 1040);
    CHECK(r.first_seen.value == 1'000'000'000);
    CHECK(r.last_seen.value == 2'250'000'123);
    CHECK(r.tcp_flags == (cap::tcp_syn | cap::tcp_ack | cap::tcp_psh));
    CHECK(r.end_reason == 1);
    CHECK(r.direction == 0);
    CHECK(r.src_port == 51000);
    CHECK(r.dst_port == 80);
    CHECK(r.protocol == 6);
    CHECK(r.vlan == 12);
    CHECK(r.tos == 0x10);
    CHECK(r.src_addr.bytes[0] == 10);
    CHECK(r.dst_addr.bytes[3] == 80);
}

TEST_CASE("bytes=wire counts the wire length minus the link header, Ethernet padding included") {
    fake_workshop w(descriptor(), {{"bytes", "wire"}});
    // 14 + 4 (VLAN) + 40: padded to 60 on the wire, so 42 bytes after the link header.
    REQUIRE(feed(w, 1, tcp(1'000'000'000, cap::tcp_ack, 0), 1) == FACTORY_OK);
    REQUIRE(feed(w, 1, tcp(1'000'000'500, cap::tcp_ack, 100), 2) == FACTORY_OK);
    w.fire_all(FACTORY_FIRED_SHUTDOWN);
    REQUIRE(w.host.products.size() == 1);
    const auto r = w.host.products[0].as<fm::flow_v4>();
    CHECK(r.bytes == 42 + 140);
    CHECK(r.end_reason == 4);
}

TEST_CASE("a biflow worker ships one record per direction, both with the flow's first and last") {
    fake_workshop w(descriptor());
    auto syn = tcp(1'000'000'000, cap::tcp_syn, 0);
    auto synack = reversed(tcp(1'000'200'000, cap::tcp_syn | cap::tcp_ack, 0));
    auto data = tcp(1'000'400'000, cap::tcp_psh | cap::tcp_ack, 500);
    REQUIRE(feed(w, 9, syn, 1) == FACTORY_OK);
    REQUIRE(feed(w, 9, synack, 2) == FACTORY_OK);
    REQUIRE(feed(w, 9, data, 3) == FACTORY_OK);
    w.fire(9, FACTORY_FIRED_MAX_AGE);
    REQUIRE(w.host.products.size() == 2);
    const auto a = w.host.products[0].as<fm::flow_v4>();
    const auto b = w.host.products[1].as<fm::flow_v4>();
    CHECK(a.direction == 0);
    CHECK(b.direction == 1);
    CHECK(a.packets == 2);
    CHECK(b.packets == 1);
    CHECK(a.bytes == 40 + 540);
    CHECK(b.bytes == 40);
    CHECK(a.src_port == 51000);
    CHECK(b.src_port == 80);
    CHECK(b.dst_port == 51000);
    CHECK(a.tcp_flags == (cap::tcp_syn | cap::tcp_ack | cap::tcp_psh));
    CHECK(b.tcp_flags == (cap::tcp_syn | cap::tcp_ack));
    for (const auto& r : {a, b}) {
        CHECK(r.first_seen.value == 1'000'000'000);
        CHECK(r.last_seen.value == 1'000'400'000);
        CHECK(r.end_reason == 2);
    }
}

TEST_CASE("FIN and RST end the flow after counting the packet, each unless switched off") {
    for (std::uint8_t flag : {cap::tcp_fin, cap::tcp_rst}) {
        fake_workshop on(descriptor());
        REQUIRE(feed(on, 3, tcp(1'000'000'000, cap::tcp_ack, 10), 1) == FACTORY_OK);
        REQUIRE(feed(on, 3, tcp(1'000'100'000, flag | cap::tcp_ack, 0), 2) == FACTORY_DONE);
        REQUIRE(on.host.products.size() == 1);
        const auto r = on.host.products[0].as<fm::flow_v4>();
        CHECK(r.packets == 2);
        CHECK(r.end_reason == 3);
        CHECK((r.tcp_flags & flag) != 0);
        CHECK(on.workers() == 0);

        const char* key = flag == cap::tcp_fin ? "end_on_fin" : "end_on_rst";
        fake_workshop off(descriptor(), {{key, "false"}});
        REQUIRE(feed(off, 3, tcp(1'000'000'000, cap::tcp_ack, 10), 1) == FACTORY_OK);
        REQUIRE(feed(off, 3, tcp(1'000'100'000, flag | cap::tcp_ack, 0), 2) == FACTORY_OK);
        CHECK(off.host.products.empty());
    }
    // FIN / RST bits mean nothing outside TCP.
    fake_workshop udp(descriptor());
    auto u = tcp(1'000'000'000, 0, 10);
    u.protocol = cap::ip_udp;
    REQUIRE(feed(udp, 4, u, 1) == FACTORY_OK);
    factory_packet p = packet_of(u, 2);
    p.tcp_flags = cap::tcp_fin;
    REQUIRE(udp.feed(4, u.time_ns, FACTORY_FORMAT_PACKET, &p, sizeof p) == FACTORY_OK);
}

TEST_CASE("IPv6 flows go to flows_ipv6 with their 16-byte addresses") {
    fake_workshop w(descriptor());
    cap::packet_spec s;
    s.ip_version = 6;
    s.protocol = cap::ip_icmpv6;
    s.icmp_type = 128;
    s.src = cap::ipv6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
    s.dst = cap::ipv6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2);
    s.time_ns = 5'000'000'000;
    s.payload = 56;
    REQUIRE(feed(w, 11, s, 1) == FACTORY_OK);
    w.fire_all(FACTORY_FIRED_SHUTDOWN);
    REQUIRE(w.host.products.size() == 1);
    CHECK(w.host.products[0].pclass == fm::pclass_ipv6);
    const auto r = w.host.products[0].as<fm::flow_v6>();
    CHECK(r.dst_port == 128 * 256);
    CHECK(r.bytes == 40 + 8 + 56);
    CHECK(r.src_addr.bytes[15] == 1);
    CHECK(r.dst_addr.bytes[15] == 2);
}

TEST_CASE("a packet of another key under the same pid is refused, the flow lives on") {
    fake_workshop w(descriptor());
    REQUIRE(feed(w, 5, tcp(1'000'000'000, cap::tcp_ack, 0), 1) == FACTORY_OK);
    auto other = tcp(1'000'000'001, cap::tcp_ack, 0);
    other.dst_port = 8080;
    REQUIRE(feed(w, 5, other, 2) == FACTORY_ERROR);
    CHECK(w.last_error.find("packet 2") != std::string::npos);
    auto udp = tcp(1'000'000'002, 0, 0);
    udp.protocol = cap::ip_udp;
    REQUIRE(feed(w, 5, udp, 3) == FACTORY_ERROR);
    w.fire_all(FACTORY_FIRED_SHUTDOWN);
    REQUIRE(w.host.products.size() == 1);
    CHECK(w.host.products[0].as<fm::flow_v4>().packets == 1);
}

TEST_CASE("a material that is not a packet gets no worker and a reason") {
    fake_workshop w(descriptor());
    REQUIRE(w.feed_json(1, 1, R"({"pid":1})") == FACTORY_ERROR);
    CHECK(w.last_error.find("not a packet") != std::string::npos);
    CHECK(w.workers() == 0);
    factory_packet p = packet_of(tcp(1, 0, 0), 1);
    REQUIRE(w.feed(2, 1, FACTORY_FORMAT_PACKET, &p, sizeof p - 8) == FACTORY_ERROR);
    p.ip_version = 5;
    REQUIRE(w.feed(3, 1, FACTORY_FORMAT_PACKET, &p, sizeof p) == FACTORY_ERROR);
    CHECK(w.last_error.find("IP version 5") != std::string::npos);
    CHECK(w.workers() == 0);
}

TEST_CASE("packets far from the workshop's clock get one warning: a file read on the wall clock") {
    fake_workshop w(descriptor());
    w.host.now_ns = 1'700'000'000'000'000'000;
    REQUIRE(feed(w, 1, tcp(1'000'000'000, cap::tcp_ack, 0), 1) == FACTORY_OK);
    REQUIRE(feed(w, 2, reversed(tcp(1'000'000'000, cap::tcp_ack, 0)), 2) == FACTORY_OK);
    REQUIRE(w.host.logs.size() == 1);
    CHECK(w.host.logs[0].find("--clock material") != std::string::npos);
    fake_workshop near(descriptor());
    near.host.now_ns = 1'000'000'000;
    REQUIRE(feed(near, 1, tcp(1'000'000'000, cap::tcp_ack, 0), 1) == FACTORY_OK);
    CHECK(near.host.logs.empty());
}
