// IPFIX information elements (RFC 7011 / RFC 7012, the IANA registry): the abstract data types
// the ipfix exporter can encode, and the part of the IANA registry it knows by number and name.
// Pure data and lookups; no allocation.
#pragma once

#include <cstdint>
#include <string_view>

namespace factory::ipfix {

// RFC 7012 section 3.1 abstract data types, as far as a product field can fill them.
enum class ie_type : std::uint8_t {
    unsigned8,
    unsigned16,
    unsigned32,
    unsigned64,
    signed64,
    float64,
    boolean,     // RFC 7011 6.1.5: 1 = true, 2 = false
    ipv4_address,
    ipv6_address,
    string,      // UTF-8, sent variable-length
    date_seconds, // dateTimeSeconds: unsigned32 seconds since the Unix epoch
    date_millis,  // dateTimeMilliseconds: unsigned64 milliseconds since the Unix epoch
    date_micros,  // dateTimeMicroseconds: NTP timestamp (RFC 7011 6.1.9), low 11 fraction bits 0
    date_nanos    // dateTimeNanoseconds: NTP timestamp (RFC 7011 6.1.10)
};

// The encoded size of a value of `t` in full-size encoding; 0 for string (variable-length).
constexpr std::uint16_t natural_length(ie_type t) noexcept {
    switch (t) {
    case ie_type::unsigned8: case ie_type::boolean: return 1;
    case ie_type::unsigned16: return 2;
    case ie_type::unsigned32: case ie_type::ipv4_address: case ie_type::date_seconds: return 4;
    case ie_type::unsigned64: case ie_type::signed64: case ie_type::float64:
    case ie_type::date_millis: case ie_type::date_micros: case ie_type::date_nanos: return 8;
    case ie_type::ipv6_address: return 16;
    case ie_type::string: return 0;
    }
    return 0;
}

const char* type_name(ie_type t) noexcept;

// One information element of the IANA registry (enterprise 0).
struct element {
    std::uint16_t id;
    const char* name; // the registry's name, e.g. "sourceIPv4Address"
    ie_type type;
};

// The element with IANA number `id`, or nullptr when this table does not know it.
const element* find_element(std::uint16_t id) noexcept;
// The element named `name` (as the registry spells it, case-sensitive), or nullptr.
const element* find_element(std::string_view name) noexcept;

// Well-known numbers used by name elsewhere in the exporter.
namespace ie {
inline constexpr std::uint16_t octet_delta_count = 1;
inline constexpr std::uint16_t packet_delta_count = 2;
inline constexpr std::uint16_t protocol_identifier = 4;
inline constexpr std::uint16_t source_transport_port = 7;
inline constexpr std::uint16_t source_ipv4_address = 8;
inline constexpr std::uint16_t destination_transport_port = 11;
inline constexpr std::uint16_t destination_ipv4_address = 12;
inline constexpr std::uint16_t source_ipv6_address = 27;
inline constexpr std::uint16_t destination_ipv6_address = 28;
inline constexpr std::uint16_t flow_start_milliseconds = 152;
inline constexpr std::uint16_t flow_end_milliseconds = 153;
} // namespace ie

} // namespace factory::ipfix
