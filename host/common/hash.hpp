// Key hashing shared by purchasing (routing) and the roster (slot index). Both must agree on
// mix(); they use different halves of it so that the keys of one workshop still spread over all
// of its roster's slots.
#pragma once

#include <cstdint>

namespace factory {

// A strong 64-bit finaliser (the splitmix64 / murmur3 family): every input bit affects every
// output bit, so small or sequential pids spread as well as random ones.
constexpr std::uint64_t mix(std::uint64_t x) noexcept {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

// Production line for a mixed key: the high 32 bits scaled to [0, lines) without a division.
constexpr std::uint32_t route(std::uint64_t mixed, std::uint32_t lines) noexcept {
    return static_cast<std::uint32_t>(((mixed >> 32) * static_cast<std::uint64_t>(lines)) >> 32);
}

// Home slot for a mixed key in a table of `capacity` slots: the low 32 bits, scaled.
constexpr std::uint64_t home_slot(std::uint64_t mixed, std::uint64_t capacity) noexcept {
    return ((mixed & 0xffffffffULL) * capacity) >> 32;
}

} // namespace factory
