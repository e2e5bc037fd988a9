// What the widget reads from one material: its byte count and IP protocol, from a FLOW4 struct
// or from a JSON object (FACTORY_FORMAT_JSON).
//
// JSON: the byte count is the top-level field named by bytes_field, a non-negative integer
// (12, or 12.0); the protocol is the field named by protocol_field, either a number (6, 17, 1 or
// any 0-255) or a name ("tcp", "udp", "icmp", any case). A missing or unrecognised protocol is 0
// ("other"). A material without a numeric bytes field, of another format, or not a valid JSON
// object is not read: read() returns false and why() names the field or format, so that the
// widget refuses that material alone (the host dead-letters it).
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

    // Reads `m` into `out`; false when it cannot be counted (see above), why() then says why.
    // No allocation: per-material path.
    bool read(const factory::material& m, observation& out) noexcept;
    // The last failed read's reason; valid until the next read().
    const char* why() const noexcept { return why_; }

private:
    bool read_json(const factory::material& m, observation& out) noexcept;
    bool fail(const char* format, ...) noexcept __attribute__((format(printf, 2, 3)));

    std::string bytes_field_;
    std::string protocol_field_;
    char why_[256] = {};
};

} // namespace factory::widget
