// Key hashing shared by purchasing (routing) and the roster (slot index). Both must agree on
// mix(); they use different halves of it so that the keys of one workshop still spread over all
// of its roster's slots.
#pragma once

#include <factory/hash.hpp>

#include <cstdint>

namespace factory {

// The mix is the SDK's (<factory/hash.hpp>), so a source that makes pids with it and the host
// that routes them speak of the same function.
constexpr std::uint64_t mix(std::uint64_t x) noexcept { return mix64(x); }

// Production line for a mixed key: the high 32 bits scaled to [0, lines) without a division.
constexpr std::uint32_t route(std::uint64_t mixed, std::uint32_t lines) noexcept {
    return static_cast<std::uint32_t>(((mixed >> 32) * static_cast<std::uint64_t>(lines)) >> 32);
}

// Home slot for a mixed key in a table of `capacity` slots: the low 32 bits, scaled.
constexpr std::uint64_t home_slot(std::uint64_t mixed, std::uint64_t capacity) noexcept {
    return ((mixed & 0xffffffffULL) * capacity) >> 32;
}

} // namespace factory
