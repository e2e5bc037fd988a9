// Which information element each product field becomes: the templates of one pclass.
//
// A field is mapped, in this order, by
//   1. the `map` setting: "field:element,field:element" where element is an IANA name
//      ("packetDeltaCount"), an IANA number ("2"), an enterprise element "PEN/number"
//      ("32473/7") or "skip";
//   2. the table of known names below, by field name and type;
//   3. otherwise it is unknown: skipped (unknown=skip) or refused at open (unknown=error).
//
// Known names (field name: IE for the field's type):
//   src_addr, src_ip   ipv4: sourceIPv4Address (8)       ipv6: sourceIPv6Address (27)
//   dst_addr, dst_ip   ipv4: destinationIPv4Address (12) ipv6: destinationIPv6Address (28)
//   next_hop           ipv4: ipNextHopIPv4Address (15)   ipv6: ipNextHopIPv6Address (62)
//   src_port 7, dst_port 11, protocol 4, tcp_flags 6, tos 5, packets 2, bytes 1, end_reason 136,
//   vlan 58, if_index 10, ip_version 60, flow_id 148, ttl 192; time_ns first_seen / last_seen:
//   flowStart/End<unit> (150..157 by the time_unit setting: 152/153 for milli).
//
// Types: an unsigned element takes u8/u16/u32/u64/bool fields no wider than itself (sent in the
// element's full size, widened); signed64 takes i8..i64 (sign-extended); float64 f32 or f64
// (widened); boolean bool; ipv4Address ipv4;
// ipv6Address ipv6; string a string field (sent variable-length, up to its first NUL); the
// dateTime elements take time_ns. An element this table does not know is sent in the field's
// own type and size. A known name whose type does not fit is treated as unknown; an explicit
// mapping that does not fit is refused at open.
//
// Mixed address families: when a pclass maps ipv6 fields to an address element that has an IPv4
// twin (27/28/62), it gets a second template in which those fields are sent as IPv4 (8/12/15), and
// each record goes out in the IPv4 one when it holds an IPv4 address: when the pclass has a u8
// field `ip_version` and it says 4 (the address is then in the first 4 bytes, or IPv4-mapped), or,
// without such a field, when every such address is IPv4-mapped (::ffff:a.b.c.d).
#pragma once

#include "elements.hpp"

#include <factory/abi.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace factory::ipfix {

// How a field's bytes become an element's bytes (all multi-byte values in network byte order).
enum class encoding : std::uint8_t {
    unsigned_int, // u8..u64 or bool, zero-extended to `length`
    signed_int,   // i8..i64, sign-extended to 8 bytes
    float64,      // f32 (widened) or f64
    boolean,      // 0 -> 2 (false), otherwise 1 (true)
    ipv4,
    ipv6,
    ipv6_as_ipv4, // an ipv6 field holding an IPv4 address (IPv4-mapped, else its first 4 bytes)
    string,       // variable-length: 1-byte length (or 255 + 2-byte length), the bytes up to NUL
    seconds,      // time_ns -> dateTimeSeconds
    millis,       // time_ns -> dateTimeMilliseconds
    micros,       // time_ns -> NTP (dateTimeMicroseconds)
    nanos         // time_ns -> NTP (dateTimeNanoseconds)
};

inline constexpr std::uint16_t variable_length = 0xffff;

// True for an IPv4-mapped IPv6 address, ::ffff:a.b.c.d (16 bytes, network byte order).
inline bool is_ipv4_mapped(const unsigned char* a) noexcept {
    static constexpr unsigned char prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return std::memcmp(a, prefix, sizeof prefix) == 0;
}

// One field specifier of a template and where its value comes from.
struct column {
    const factory_field* field;
    std::uint16_t id;         // element number, without the enterprise bit
    std::uint32_t enterprise; // 0: IANA
    std::uint16_t length;     // encoded bytes, or variable_length
    encoding enc;
};

// One template.
struct layout {
    std::uint16_t template_id = 0;
    std::vector<column> columns;
    std::size_t fixed_size = 0;   // bytes of a record, strings not counted
    std::size_t largest_size = 0; // bytes of a record whose strings fill their fields
    // Bytes of the template record in a template set.
    std::size_t template_size() const noexcept;
};

enum class time_unit : std::uint8_t { sec, milli, micro, nano };

struct map_options {
    std::string map;        // the `map` setting
    bool skip_unknown = true;
    time_unit times = time_unit::milli;
};

// The templates of one pclass.
struct pclass_plan {
    layout main;                  // fields as the schema types them
    std::optional<layout> ipv4;   // the IPv4 twin, when the pclass has one (see above)
    const factory_field* ip_version = nullptr; // a u8 field named ip_version, if any
    std::vector<std::string> skipped; // fields that go out in no element, "name (why)"

    // Which template `record` goes out in.
    const layout& layout_for(const unsigned char* record) const noexcept;
};

// The templates of `pc`, whose templates get ids `first_id` (main) and `first_id + 1` (IPv4).
// Throws factory::error naming the pclass and field for a bad `map` entry, a mapping whose types
// do not fit, an unknown field under unknown=error, or a pclass that maps no field at all.
pclass_plan plan_pclass(const factory_pclass& pc, const map_options& o, std::uint16_t first_id);

// The `map` setting's entries, "field:element" split; throws factory::error for a malformed one.
struct map_entry {
    std::string field;
    std::string element;
};
std::vector<map_entry> parse_map(std::string_view text);

} // namespace factory::ipfix
