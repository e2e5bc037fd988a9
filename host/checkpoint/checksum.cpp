#include "checkpoint/checksum.hpp"

#include <bit>
#include <cstring>

namespace factory::checkpoint {
namespace {

// Odd 64-bit constants with well-spread bits: multiplying by an odd number is a bijection, so a
// change in one word always changes its lane.
constexpr std::uint64_t k1 = 0x9e3779b97f4a7c15ULL;
constexpr std::uint64_t k2 = 0xd6e8feb86659fd93ULL;
constexpr std::uint64_t k3 = 0xa0761d6478bd642fULL;
constexpr std::uint64_t k4 = 0xe7037ed1a0b428dbULL;

inline std::uint64_t load64(const unsigned char* p) noexcept {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
}

inline std::uint64_t step(std::uint64_t lane, std::uint64_t word) noexcept {
    return std::rotl(lane ^ (word * k2), 29) * k1;
}

inline void stripe(std::uint64_t* lanes, const unsigned char* p) noexcept {
    lanes[0] = step(lanes[0], load64(p));
    lanes[1] = step(lanes[1], load64(p + 8));
    lanes[2] = step(lanes[2], load64(p + 16));
    lanes[3] = step(lanes[3], load64(p + 24));
}

inline std::uint64_t avalanche(std::uint64_t h) noexcept {
    h ^= h >> 31;
    h *= k3;
    h ^= h >> 29;
    h *= k4;
    h ^= h >> 32;
    return h;
}

} // namespace

hasher::hasher(std::uint64_t seed) noexcept
    : lanes_{seed + k1, seed ^ k2, seed - k3, ~seed + k4}, pending_{} {}

void hasher::add(const void* data, std::size_t n) noexcept {
    if (n == 0) return; // data may then be null, which memcpy may not be given
    auto p = static_cast<const unsigned char*>(data);
    total_ += n;
    if (pending_n_ > 0) {
        const std::size_t take = n < 32 - pending_n_ ? n : 32 - pending_n_;
        std::memcpy(pending_ + pending_n_, p, take);
        pending_n_ += take;
        p += take;
        n -= take;
        if (pending_n_ < 32) return;
        stripe(lanes_, pending_);
        pending_n_ = 0;
    }
    std::uint64_t l[4] = {lanes_[0], lanes_[1], lanes_[2], lanes_[3]};
    for (; n >= 32; p += 32, n -= 32) stripe(l, p);
    std::memcpy(lanes_, l, sizeof l);
    std::memcpy(pending_, p, n);
    pending_n_ = n;
}

std::uint64_t hasher::value() const noexcept {
    std::uint64_t h = std::rotl(lanes_[0], 1) + std::rotl(lanes_[1], 7) + std::rotl(lanes_[2], 12) +
                      std::rotl(lanes_[3], 18);
    for (std::uint64_t lane : lanes_) h = (h ^ step(0, lane)) * k1 + k4;
    h += total_;
    std::size_t i = 0;
    for (; i + 8 <= pending_n_; i += 8) h = std::rotl(h ^ step(0, load64(pending_ + i)), 27) * k1 + k4;
    if (i < pending_n_) {
        std::uint64_t tail = 0;
        std::memcpy(&tail, pending_ + i, pending_n_ - i);
        h = std::rotl(h ^ step(0, tail ^ (pending_n_ - i)), 23) * k2 + k3;
    }
    return avalanche(h);
}

std::uint64_t checksum(const void* data, std::size_t n, std::uint64_t seed) noexcept {
    hasher h(seed);
    h.add(data, n);
    return h.value();
}

} // namespace factory::checkpoint
