// A fast 64-bit checksum for checkpoint files: it finds damage (a flipped bit, a torn write), it is
// not a defence against someone who forges a file. Four independent lanes take 32 bytes per step
// (8 bytes each, a multiply-rotate-multiply per word), so the multiplies overlap and a buffer is
// hashed at memory speed.
//
// To checksum data that arrives in pieces, feed the pieces to one `hasher` in order: the value is
// the same however the bytes are split. `checksum(p, n, seed)` is a one-shot hasher(seed); its
// seed does NOT chain (checksum(b, checksum(a)) is not the checksum of a then b).
#pragma once

#include <cstddef>
#include <cstdint>

namespace factory::checkpoint {

class hasher {
public:
    explicit hasher(std::uint64_t seed = 0) noexcept;

    void add(const void* data, std::size_t n) noexcept;

    // The checksum of every byte added so far; does not change the state (more may be added).
    std::uint64_t value() const noexcept;

    std::uint64_t bytes() const noexcept { return total_; }

private:
    std::uint64_t lanes_[4];
    std::uint64_t total_ = 0;
    unsigned char pending_[32];
    std::size_t pending_n_ = 0;
};

std::uint64_t checksum(const void* data, std::size_t n, std::uint64_t seed = 0) noexcept;

} // namespace factory::checkpoint
