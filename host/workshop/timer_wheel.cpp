#include "workshop/timer_wheel.hpp"

#include <algorithm>
#include <bit>

namespace factory::workshop {

timer_wheel::timer_wheel(tick horizon, tick start) : now_(start) {
    // Strictly above the horizon, so that without the cap no due ever shares a bucket with now().
    const std::uint64_t wanted = std::bit_ceil(std::uint64_t{horizon} + 1);
    const auto count = static_cast<std::uint32_t>(
        std::clamp<std::uint64_t>(wanted, min_buckets, max_buckets));
    mask_ = count - 1;
    buckets_.resize(count);
    // min_buckets is a multiple of 64, so the bitmap's words wrap exactly with the buckets.
    occupied_.assign(count / 64, 0);
}

bool timer_wheel::next_occupied(tick from, tick span, tick& found) const noexcept {
    // Past one round every bucket has been looked at once.
    const std::uint32_t limit = std::min<std::uint32_t>(span, mask_);
    const std::uint32_t first = bucket_of(from);
    std::uint32_t offset = 0;
    while (offset <= limit) {
        const std::uint32_t b = (first + offset) & mask_;
        const std::uint64_t word = occupied_[b >> 6] >> (b & 63);
        if (word != 0) {
            offset += static_cast<std::uint32_t>(std::countr_zero(word));
            if (offset > limit) {
                return false;
            }
            found = from + offset;
            return true;
        }
        offset += 64 - (b & 63);
    }
    return false;
}

void timer_wheel::add_held() {
    // The workers rescheduled in one sweep go to buckets about one contract ahead, which nothing
    // has touched for a long while: each add would wait for memory twice, for the bucket's
    // header and then for its end. Fetching all the headers, then all the ends, then adding,
    // waits about twice per sweep instead of twice per entry.
    for (const held_entry& e : held_) {
        __builtin_prefetch(&buckets_[bucket_of(e.due)], 0, 3);
    }
    for (const held_entry& e : held_) {
        const std::vector<std::uint64_t>& v = buckets_[bucket_of(e.due)];
        __builtin_prefetch(v.data() + v.size(), 1, 3);
    }
    for (const held_entry& e : held_) {
        add(e.pid, bucket_of(e.due));
    }
    held_.clear();
}

bool timer_wheel::remove(std::uint64_t pid, tick due) noexcept {
    const std::uint32_t b = bucket_of(due);
    std::vector<std::uint64_t>& v = buckets_[b];
    const auto it = std::find(v.begin(), v.end(), pid);
    if (it == v.end()) {
        return false;
    }
    // Order within a bucket carries no meaning, so the last entry may take its place.
    *it = v.back();
    v.pop_back();
    --size_;
    if (v.empty()) {
        occupied_[b >> 6] &= ~(std::uint64_t{1} << (b & 63));
    }
    return true;
}

void timer_wheel::clear() noexcept {
    if (size_ == 0) {
        return;
    }
    for (std::size_t w = 0; w < occupied_.size(); ++w) {
        for (std::uint64_t bits = occupied_[w]; bits != 0; bits &= bits - 1) {
            buckets_[w * 64 + static_cast<std::size_t>(std::countr_zero(bits))].clear();
        }
        occupied_[w] = 0;
    }
    size_ = 0;
}

std::size_t timer_wheel::memory_bytes() const noexcept {
    std::size_t bytes = buckets_.capacity() * sizeof(buckets_[0]) +
                        occupied_.capacity() * sizeof(occupied_[0]);
    for (const auto& v : buckets_) {
        bytes += v.capacity() * sizeof(v[0]);
    }
    return bytes;
}

} // namespace factory::workshop
