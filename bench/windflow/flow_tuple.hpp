// What the WindFlow program moves: one synthetic flow record and its pid, made by the synthetic
// source's own generator (plugins/source_synthetic/flow_generator.hpp) with the source's default
// seed and protocol mix, so the program sees exactly the pids and records that
// `factory-host --source synthetic:keys=K,count=N` purchases, in the same order.
#pragma once

#include "source_synthetic/flow_generator.hpp"
#include "source_synthetic/protocol_mix.hpp"

#include <factory/formats.h>

#include <cstdint>

namespace factory::bench::windflow {

struct flow_tuple {
    std::uint64_t pid = 0;
    factory_flow4 flow{};
};
static_assert(sizeof(flow_tuple) == 32, "a pid and a FLOW4 record, padded to 8 bytes");

// The synthetic source's settings that shape a record besides keys (its defaults).
inline constexpr std::uint64_t synthetic_seed = 1;
inline constexpr const char* synthetic_protocols = "tcp:70,udp:25,icmp:5";

inline synthetic::flow_generator make_generator(std::uint64_t keys) {
    return synthetic::flow_generator(keys, synthetic_seed, synthetic::parse_protocol_mix(synthetic_protocols));
}

} // namespace factory::bench::windflow
