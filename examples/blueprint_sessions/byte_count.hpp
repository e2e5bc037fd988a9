// How many bytes one material stands for, whatever source made it:
//   FLOW4   the flow record's byte count (factory_flow4::bytes)
//   PACKET  the frame's length on the wire (factory_packet::wire_length)
//   JSON    the top-level field named by the bytes_field setting, a non-negative integer;
//           with an empty bytes_field, the length of the JSON text
//   other   the payload's length
// A material that cannot be counted (a FLOW4 or PACKET payload too short for its struct, JSON that
// is not one valid object or lacks a non-negative integer bytes_field) is refused with a
// factory::error that names the field or the format; the host dead-letters it with that message.
#pragma once

#include <factory/plugin.hpp>

#include <cstdint>
#include <string>

namespace example::sessions {

class byte_counter {
public:
    explicit byte_counter(std::string bytes_field);

    // Throws factory::error for a material that cannot be counted (see above).
    std::uint64_t bytes_of(const factory::material& m) const;

private:
    std::uint64_t json_bytes(const factory::material& m) const;

    std::string bytes_field_;
};

} // namespace example::sessions
