// The synthetic source's protocol mix: "tcp:70,udp:25,icmp:5" as a table of 256 slots that a
// random byte indexes, so picking a protocol costs one load.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace factory::synthetic {

struct protocol_slot {
    std::uint8_t protocol = 0;
    bool has_ports = false; // TCP and UDP
};
using protocol_table = std::array<protocol_slot, 256>;

// Parses comma-separated name:weight pairs; a name is tcp, udp, icmp or an IP protocol number
// 0-255, a weight a non-negative integer. Each protocol gets slots in proportion to its weight
// (so shares are rounded to 1/256). Throws factory::error naming the setting and the bad entry.
protocol_table parse_protocol_mix(std::string_view text);

} // namespace factory::synthetic
