// The synthetic source's materials: the original template's flow records (FACTORY_FORMAT_FLOW4),
// generated over a fixed set of `keys` address pairs so that keys repeat and workers live.
//
// Key index k (0 <= k < keys) owns the address pair pair_of(k), a cheap bijection of k (an odd
// multiply and an xor-shift): the source address is its high 32 bits, the destination its low 32
// bits (host-order integers; the material holds them in network byte order). Distinct indexes
// have distinct pairs, with no table to look up.
// The pid of a material is pid_of(src, dst) = mix64(src << 32 | dst), also a bijection, so there
// are exactly `keys` distinct pids. Each material picks its key, protocol (from the mix), ports
// (TCP and UDP only; 0 otherwise) and byte count (40..1500) from one splitmix64 draw.
#pragma once

#include "protocol_mix.hpp"
#include "zipf_keys.hpp"

#include <factory/formats.h>
#include <factory/hash.hpp>

#include <bit>
#include <cstdint>

namespace factory::synthetic {

using factory::mix64; // bijective: distinct address pairs give distinct pids

// The pid of an address pair given as host-order integers (10.0.0.1 is 0x0a000001).
constexpr std::uint64_t pid_of(std::uint32_t src, std::uint32_t dst) noexcept {
    return mix64(static_cast<std::uint64_t>(src) << 32 | dst);
}

constexpr std::uint32_t to_network(std::uint32_t v) noexcept {
    if constexpr (std::endian::native == std::endian::little) return __builtin_bswap32(v);
    return v;
}

class flow_generator {
public:
    // keys >= 1 (the source checks it).
    flow_generator(std::uint64_t keys, std::uint64_t seed, const protocol_table& protocols) noexcept
        : keys_(keys), salt_(mix64(seed ^ 0x5851f42d4c957f2dULL)), start_(mix64(seed)), state_(start_),
          protocols_(protocols) {}

    // Continues as if `n` materials had been drawn since construction: the draw is a function of
    // the seed and its index only (a Weyl sequence under the finaliser), so this is exact.
    void skip_to(std::uint64_t n) noexcept { state_ = start_ + n * golden; }

    // The address pair of key index k: source in the high half, destination in the low half.
    std::uint64_t pair_of(std::uint64_t k) const noexcept {
        std::uint64_t x = (k ^ salt_) * 0x9e3779b97f4a7c15ULL;
        return x ^ (x >> 32);
    }

    // Keys drawn by Zipf's law from `skew` instead of uniformly; the table must outlive the
    // generator and have `keys` entries.
    void use_skew(const zipf_keys* skew) noexcept { skew_ = skew; }

    // Writes the next material into `f` and returns its pid.
    std::uint64_t next(factory_flow4& f) noexcept {
        __extension__ using u128 = unsigned __int128;
        state_ += golden;
        std::uint64_t r = mix64(state_);
        // Multiply-high maps r onto [0, keys) without a division.
        std::uint64_t k = skew_ != nullptr ? skew_->index(r)
                                           : static_cast<std::uint64_t>((static_cast<u128>(r) * keys_) >> 64);
        std::uint64_t pair = pair_of(k);
        // The field bits come from r times an odd constant: its high bits depend on all of r,
        // not mostly on the bits that chose the key.
        std::uint64_t a = r * 0xd1342543de82ef95ULL;
        const protocol_slot& ps = protocols_[a >> 56];
        std::uint16_t ports_mask = ps.has_ports ? 0xffff : 0;
        f.src_addr = to_network(static_cast<std::uint32_t>(pair >> 32));
        f.dst_addr = to_network(static_cast<std::uint32_t>(pair));
        f.src_port = static_cast<std::uint16_t>((1024 + (((a >> 40) & 0xffff) * 64512 >> 16)) & ports_mask);
        f.dst_port = static_cast<std::uint16_t>(service_ports[(a >> 36) & 15] & ports_mask);
        f.protocol = ps.protocol;
        f.reserved[0] = f.reserved[1] = f.reserved[2] = 0;
        f.bytes = static_cast<std::uint32_t>(40 + (((a >> 8) & 0x0fffffff) * 1461 >> 28));
        return mix64(pair);
    }

private:
    static constexpr std::uint64_t golden = 0x9e3779b97f4a7c15ULL;
    static constexpr std::uint16_t service_ports[16] = {80,  443, 443, 53,   22,   25,  123,  8080,
                                                        443, 993, 80,  3306, 5432, 161, 6379, 3389};
    std::uint64_t keys_;
    std::uint64_t salt_;
    std::uint64_t start_;
    std::uint64_t state_;
    protocol_table protocols_;
    const zipf_keys* skew_ = nullptr;
};

} // namespace factory::synthetic
