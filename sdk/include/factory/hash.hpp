// Hashing for plugin authors: making a pid from a record's key. factory routes and stores keys by
// its own mix of the pid, so a pid need not be well spread; but a key made of several fields must
// become one 64-bit value without collisions in practice, which these do. Header-only, constexpr.
#pragma once

#include <cstdint>
#include <string_view>

namespace factory {

// A strong 64-bit finaliser (the splitmix64 one): bijective, every input bit affects every output
// bit. Distinct 64-bit keys give distinct pids.
constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

// FNV-1a 64: for keys that are text or bytes. Chain calls with the previous result as `h`.
inline constexpr std::uint64_t fnv1a_offset = 0xcbf29ce484222325ULL;
inline constexpr std::uint64_t fnv1a_prime = 0x100000001b3ULL;

constexpr std::uint64_t fnv1a(std::string_view bytes, std::uint64_t h = fnv1a_offset) noexcept {
    for (char c : bytes) h = (h ^ static_cast<unsigned char>(c)) * fnv1a_prime;
    return h;
}

} // namespace factory
