// How many bytes one material stands for, whatever source made it:
//   FLOW4   the flow record's byte count (factory_flow4::bytes)
//   PACKET  the frame's length on the wire (factory_packet::wire_length)
//   JSON    the top-level field named by the bytes_field setting, a non-negative integer;
//           with an empty bytes_field, the length of the JSON text
//   other   the payload's length
// A material that cannot be counted (a FLOW4 or PACKET payload too short for its struct, JSON that
// is not one valid object or lacks a non-negative integer bytes_field) is not counted: bytes_of()
// returns false and why() names the field or the format, for the blueprint to refuse the material
// with (the host dead-letters it with that message). No exception, no allocation per material.
#pragma once

#include <factory/plugin.hpp>

#include <cstdint>
#include <string>

namespace example::sessions {

class byte_counter {
public:
    explicit byte_counter(std::string bytes_field);

    // The bytes `m` stands for, in `out`; false when it cannot be counted (see above).
    bool bytes_of(const factory::material& m, std::uint64_t& out) noexcept;
    // Why the last bytes_of() said false; valid until the next call.
    const char* why() const noexcept { return why_; }

private:
    bool json_bytes(const factory::material& m, std::uint64_t& out) noexcept;
    bool fail(const char* format, ...) noexcept __attribute__((format(printf, 2, 3)));

    std::string bytes_field_;
    char why_[256] = {};
};

} // namespace example::sessions
