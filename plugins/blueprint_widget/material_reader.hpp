// What the widget reads from one material: its byte count and IP protocol, from a FLOW4 struct
// or from a JSON object (FACTORY_FORMAT_JSON).
//
// JSON: the byte count is the top-level field named by bytes_field, a non-negative integer
// (12, or 12.0); the protocol is the field named by protocol_field, either a number (6, 17, 1 or
// any 0-255) or a name ("tcp", "udp", "icmp", any case). A missing or unrecognised protocol is 0
// ("other"). A material without a numeric bytes field, of another format, or not a valid JSON
// object is refused with factory::error naming the field or format, so that the host
// dead-letters that material alone.
#pragma once

#include <factory/plugin.hpp>

#include <cstdint>
#include <string>

namespace factory::widget {

inline constexpr std::uint8_t ip_icmp = 1;
inline constexpr std::uint8_t ip_tcp = 6;
inline constexpr std::uint8_t ip_udp = 17;

struct observation {
    std::uint64_t bytes = 0;
    std::uint8_t protocol = 0; // 0 when unknown
};

class material_reader {
public:
    material_reader(std::string bytes_field, std::string protocol_field);

    // Throws factory::error when the material cannot be counted (see above).
    observation read(const factory::material& m) const;

private:
    observation read_json(const factory::material& m) const;

    std::string bytes_field_;
    std::string protocol_field_;
};

} // namespace factory::widget
