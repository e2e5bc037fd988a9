// Product classes shaped like network flows, for the ipfix exporter's tests: one with IPv4
// addresses, one holding both families in ipv6 fields with an ip_version, and one whose
// addresses are IPv4-mapped when they are IPv4 (no ip_version).
#pragma once

#include <factory/abi.h>
#include <factory/schema.hpp>

#include <cstdint>
#include <cstring>
#include <vector>

namespace factory::testing {

struct flow4_record {
    factory::ipv4 src_addr;
    factory::ipv4 dst_addr;
    std::uint16_t src_port;
    std::uint16_t dst_port;
    std::uint8_t protocol;
    std::uint8_t tcp_flags;
    std::uint8_t end_reason;
    std::uint8_t pad;
    std::uint64_t packets;
    std::uint64_t bytes;
    factory::time_ns first_seen;
    factory::time_ns last_seen;
    std::uint64_t pid; // no element: skipped
};

struct flow_any_record {
    factory::ipv6 src_addr;
    factory::ipv6 dst_addr;
    std::uint16_t src_port;
    std::uint16_t dst_port;
    std::uint8_t protocol;
    std::uint8_t ip_version;
    std::uint8_t pad[2];
    std::uint64_t packets;
};

struct flow_mapped_record {
    factory::ipv6 src_addr;
    std::uint64_t bytes;
};

inline const factory::schema flow4_schema = factory::make_schema<flow4_record>(
    {FACTORY_FIELD(flow4_record, src_addr), FACTORY_FIELD(flow4_record, dst_addr),
     FACTORY_FIELD(flow4_record, src_port), FACTORY_FIELD(flow4_record, dst_port),
     FACTORY_FIELD(flow4_record, protocol), FACTORY_FIELD(flow4_record, tcp_flags),
     FACTORY_FIELD(flow4_record, end_reason), FACTORY_FIELD(flow4_record, packets),
     FACTORY_FIELD(flow4_record, bytes), FACTORY_FIELD(flow4_record, first_seen),
     FACTORY_FIELD(flow4_record, last_seen), FACTORY_FIELD(flow4_record, pid)});
inline const factory::schema flow_any_schema = factory::make_schema<flow_any_record>(
    {FACTORY_FIELD(flow_any_record, src_addr), FACTORY_FIELD(flow_any_record, dst_addr),
     FACTORY_FIELD(flow_any_record, src_port), FACTORY_FIELD(flow_any_record, dst_port),
     FACTORY_FIELD(flow_any_record, protocol), FACTORY_FIELD(flow_any_record, ip_version),
     FACTORY_FIELD(flow_any_record, packets)});
inline const factory::schema flow_mapped_schema = factory::make_schema<flow_mapped_record>(
    {FACTORY_FIELD(flow_mapped_record, src_addr), FACTORY_FIELD(flow_mapped_record, bytes)});

inline factory_pclass to_pclass(const char* name, const factory::schema& s) {
    return factory_pclass{name, s.record_size, static_cast<std::uint32_t>(s.fields.size()), s.fields.data()};
}

// pclass 0 "flows4", 1 "flows", 2 "mapped".
inline std::vector<factory_pclass> flow_pclasses() {
    return {to_pclass("flows4", flow4_schema), to_pclass("flows", flow_any_schema),
            to_pclass("mapped", flow_mapped_schema)};
}

inline flow4_record make_flow4(std::uint32_t i) {
    flow4_record r{};
    r.src_addr = {{10, 0, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)}};
    r.dst_addr = {{192, 168, 1, 2}};
    r.src_port = static_cast<std::uint16_t>(1024 + i);
    r.dst_port = 443;
    r.protocol = 6;
    r.tcp_flags = 0x1b;
    r.end_reason = 3;
    r.packets = 10 + i;
    r.bytes = 1'000'000'000'000ULL + i; // above 32 bits: must travel as 8 bytes
    r.first_seen.value = 1'700'000'000'123'456'789LL + i;
    r.last_seen.value = 1'700'000'005'999'999'999LL + i;
    r.pid = 0xdeadbeef;
    return r;
}

inline factory::ipv6 ipv6_of(std::initializer_list<std::uint8_t> bytes) {
    factory::ipv6 a{};
    std::size_t i = 0;
    for (std::uint8_t b : bytes) a.bytes[i++] = b;
    return a;
}

} // namespace factory::testing
