// The ipfix exporter against a real collector: known products go to nfdump's nfcapd, and
// `nfdump` reads back exactly their addresses, ports, protocol, packets, bytes and millisecond
// times.
#include "support/fake_transport.hpp"
#include "support/load_plugin.hpp"
#include "support/nfdump_tools.hpp"
#include "support/temp_dir.hpp"

#include <factory/util/render.hpp>
#include <factory/schema.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

using namespace factory::testing;

namespace {

// Shaped like a flowmeter product: both address families in ipv6 fields, told apart by
// ip_version (IPv4 in the first 4 bytes).
struct flow_out {
    factory::ipv6 src_addr;
    factory::ipv6 dst_addr;
    std::uint16_t src_port;
    std::uint16_t dst_port;
    std::uint8_t protocol;
    std::uint8_t ip_version;
    std::uint8_t tcp_flags;
    std::uint8_t end_reason;
    std::uint64_t packets;
    std::uint64_t bytes;
    factory::time_ns first_seen;
    factory::time_ns last_seen;
};

const factory::schema flow_schema = factory::make_schema<flow_out>(
    {FACTORY_FIELD(flow_out, src_addr), FACTORY_FIELD(flow_out, dst_addr), FACTORY_FIELD(flow_out, src_port),
     FACTORY_FIELD(flow_out, dst_port), FACTORY_FIELD(flow_out, protocol), FACTORY_FIELD(flow_out, ip_version),
     FACTORY_FIELD(flow_out, tcp_flags), FACTORY_FIELD(flow_out, end_reason), FACTORY_FIELD(flow_out, packets),
     FACTORY_FIELD(flow_out, bytes), FACTORY_FIELD(flow_out, first_seen), FACTORY_FIELD(flow_out, last_seen)});

std::vector<factory_pclass> pclasses() {
    return {factory_pclass{"flows", flow_schema.record_size, static_cast<std::uint32_t>(flow_schema.fields.size()),
                           flow_schema.fields.data()}};
}

// `n` flows of every kind: IPv4 / IPv6, TCP / UDP / ICMP / ICMPv6 / GRE, counters above 32 bits,
// times with sub-millisecond parts (nfdump keeps milliseconds: they are cut, never rounded).
std::vector<flow_out> make_flows(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 r(seed);
    std::vector<flow_out> v;
    for (std::size_t i = 0; i < n; ++i) {
        flow_out f{};
        f.ip_version = r() % 3 == 0 ? 6 : 4;
        if (f.ip_version == 4) {
            std::uint8_t s[4] = {10, static_cast<std::uint8_t>(r()), static_cast<std::uint8_t>(r()), static_cast<std::uint8_t>(i)};
            std::uint8_t d[4] = {198, 51, 100, static_cast<std::uint8_t>(r())};
            std::memcpy(f.src_addr.bytes, s, 4);
            std::memcpy(f.dst_addr.bytes, d, 4);
        } else {
            std::uint8_t s[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)};
            std::uint8_t d[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 5, 0x12, 0x34, 0, 0, 0, 0, 0, 0, 0, static_cast<std::uint8_t>(r() | 1)};
            std::memcpy(f.src_addr.bytes, s, 16);
            std::memcpy(f.dst_addr.bytes, d, 16);
        }
        switch (r() % 5) {
        case 0: f.protocol = 6; f.tcp_flags = static_cast<std::uint8_t>(r() & 0x3f); break;
        case 1: f.protocol = 17; break;
        case 2: f.protocol = f.ip_version == 4 ? 1 : 58; break;
        case 3: f.protocol = 47; break;
        default: f.protocol = 6; f.tcp_flags = 0x1b; break;
        }
        if (f.protocol == 6 || f.protocol == 17) {
            f.src_port = static_cast<std::uint16_t>(1024 + r() % 60000);
            f.dst_port = static_cast<std::uint16_t>(r() % 2 ? 443 : 53);
        } else if (f.protocol == 1 || f.protocol == 58) {
            f.dst_port = static_cast<std::uint16_t>((f.protocol == 1 ? 8 : 128) * 256 + r() % 3);
        }
        f.packets = 1 + r() % 100000;
        f.bytes = i % 7 == 0 ? (std::uint64_t{1} << 33) + r() % 1000 : 40 * f.packets + r() % 100000;
        f.first_seen.value = 1'700'000'000'000'000'000LL + static_cast<std::int64_t>(r() % 86'400'000'000'000ULL);
        f.last_seen.value = f.first_seen.value + static_cast<std::int64_t>(r() % 3'600'000'000'000ULL);
        f.end_reason = static_cast<std::uint8_t>(1 + r() % 5);
        v.push_back(f);
    }
    return v;
}

std::string address_text(const factory::ipv6& a, bool v4) {
    std::string s;
    if (v4) factory::render::append_ipv4(s, a.bytes);
    else factory::render::append_ipv6(s, a.bytes);
    return s;
}

std::int64_t floor_ms(std::int64_t ns) { return ns / 1'000'000 - (ns % 1'000'000 < 0 ? 1 : 0); }

std::vector<nf_record> expected(const std::vector<flow_out>& flows) {
    std::vector<nf_record> want;
    for (const flow_out& f : flows) {
        nf_record n;
        n.src = address_text(f.src_addr, f.ip_version == 4);
        n.dst = address_text(f.dst_addr, f.ip_version == 4);
        n.src_port = f.src_port;
        n.dst_port = f.dst_port;
        n.protocol = f.protocol;
        n.packets = f.packets;
        n.bytes = f.bytes;
        n.first_ms = floor_ms(f.first_seen.value);
        n.last_ms = floor_ms(f.last_seen.value);
        want.push_back(n);
    }
    std::sort(want.begin(), want.end());
    return want;
}

void round_trip(bool ipv6_collector, std::size_t count, const fake_settings::overrides& extra = {}) {
    temp_dir dir;
    nfcapd collector(dir.path(), ipv6_collector);
    fake_settings::overrides s{{"collector", collector.address()}};
    s.insert(s.end(), extra.begin(), extra.end());
    auto flows = make_flows(count, count);
    {
        fake_transport t(load_plugin(FACTORY_IPFIX_PLUGIN), pclasses(), s);
        REQUIRE(t.open() == FACTORY_OK);
        // Batches of up to 1000, as the driver hands them over.
        for (std::size_t at = 0; at < flows.size(); at += 1000) {
            std::vector<flow_out> part(flows.begin() + static_cast<std::ptrdiff_t>(at),
                                       flows.begin() + static_cast<std::ptrdiff_t>(std::min(flows.size(), at + 1000)));
            auto b = t.make(0, part);
            REQUIRE(t.send(b) == FACTORY_OK);
        }
    }
    collector.wait_drained();
    CHECK(collector.socket_drops() == 0); // the pacing kept nfcapd's socket from overflowing
    std::string log = collector.stop();
    INFO(log);
    CHECK_THAT(log, Catch::Contains("Sequence Errors: 0"));
    auto got = collector.flows();
    std::sort(got.begin(), got.end());
    auto want = expected(flows);
    if (got.size() != want.size()) {
        std::vector<nf_record> missing;
        std::set_difference(want.begin(), want.end(), got.begin(), got.end(), std::back_inserter(missing));
        for (std::size_t i = 0; i < missing.size() && i < 30; ++i) UNSCOPED_INFO("missing: " << to_string(missing[i]));
    }
    REQUIRE(got.size() == want.size());
    std::size_t differ = 0;
    for (std::size_t i = 0; i < got.size(); ++i) {
        if (got[i] == want[i]) continue;
        if (++differ <= 5) FAIL_CHECK("nfdump: " << to_string(got[i]) << "\nwanted: " << to_string(want[i]));
    }
    CHECK(differ == 0);
}

} // namespace

TEST_CASE("nfcapd round trip: nfdump reads back every product exactly", "[nfdump]") {
    round_trip(false, 5000);
}

TEST_CASE("nfcapd round trip over IPv6, templates with every message", "[nfdump]") {
    round_trip(true, 500, {{"template_refresh", "0"}});
}

TEST_CASE("nfdump's JSON times parse as UTC milliseconds") {
    CHECK(parse_utc_ms("1970-01-01T00:00:00.000") == 0);
    CHECK(parse_utc_ms("2023-11-14T22:13:20.001") == 1'700'000'000'001);
    CHECK(parse_utc_ms("2000-02-29T23:59:59.999") == 951'868'799'999);
    CHECK_THROWS(parse_utc_ms("2023-11-14 22:13:20"));
}
