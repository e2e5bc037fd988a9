// What the reference programs move: the same bytes per material as a factory production line
// (an 8-byte frame header, the 40-byte factory_material and the 20-byte FLOW4 payload, padded to
// 72 bytes), made by the synthetic source's own generator, so a reference and a factory run do the
// same generating, hashing and copying.
#pragma once

#include "source_synthetic/flow_generator.hpp"

#include <factory/abi.h>
#include <factory/formats.h>

#include <cstdint>

namespace factory::bench {

struct wire_record {
    std::uint32_t frame_size; // as a ring frame: payload bytes, then a tag
    std::uint32_t frame_tag;
    factory_material material;
    factory_flow4 flow;
    std::uint32_t pad;
};
static_assert(sizeof(wire_record) == 72, "one factory line frame of a FLOW4 material");

// The synthetic source with its default settings (protocol mix and seed) over `keys` keys.
class record_maker {
public:
    explicit record_maker(std::uint64_t keys);

    // The next flow, as the source makes it; returns its pid.
    std::uint64_t next(factory_flow4& flow) noexcept { return generator_.next(flow); }

    // Writes a material into a line slot, stamped with the batch's clocks (purchasing reads them
    // once per batch), as the buyer does.
    void put(wire_record& out, std::uint64_t pid, const factory_flow4& flow, std::int64_t unix_ns,
             std::int64_t mono_ns) noexcept {
        out.frame_size = sizeof(factory_material) + sizeof(factory_flow4);
        out.frame_tag = 0x64636572;
        out.material.pid = pid;
        out.material.time_ns = unix_ns;
        out.material.purchased_ns = mono_ns;
        out.material.seq = ++seq_;
        out.material.size = sizeof(factory_flow4);
        out.material.format = FACTORY_FORMAT_FLOW4;
        out.material.flags = 0;
        out.flow = flow;
        out.pad = 0;
    }

private:
    synthetic::flow_generator generator_;
    std::uint64_t seq_ = 0;
};

} // namespace factory::bench
