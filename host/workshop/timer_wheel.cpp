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
    window_shift_ = static_cast<std::uint32_t>(std::countr_zero(count / windows));
    window_mask_ = (tick{1} << window_shift_) - 1;
    base_ = start & ~window_mask_;
    // The windows beyond the near level that a due within the horizon can reach: now() is at
    // most window_ticks() - 1 after base_.
    const std::uint64_t last_window = (std::uint64_t{horizon} + window_mask_) >> window_shift_;
    far_count_ = static_cast<std::uint32_t>(std::clamp<std::uint64_t>(
        last_window >= windows ? last_window - windows + 1 : 1, 1, max_far_buckets));
    near_.resize(count);
    far_.resize(far_count_);
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
    for (const entry& e : held_) {
        __builtin_prefetch(is_near(e.due) ? &near_[bucket_of(e.due)] : &far_bucket_of(e.due), 0, 3);
    }
    for (const entry& e : held_) {
        const bucket& v = is_near(e.due) ? near_[bucket_of(e.due)] : far_bucket_of(e.due);
        __builtin_prefetch(v.data() + v.size(), 1, 3);
    }
    for (const entry& e : held_) {
        place(e);
    }
    held_.clear();
}

void timer_wheel::cascade() {
    base_ += window_mask_ + 1;
    const tick entering = base_ + mask_ - window_mask_; // first tick of the new last window
    bucket& v = far_[far_head_];
    far_head_ = far_head_ + 1 == far_count_ ? 0 : far_head_ + 1;
    if (v.empty()) {
        return;
    }
    // The entering window's buckets are those of the window just finished: empty. Same two
    // passes of prefetching as add_held(), for the same reason.
    for (const entry& e : v) {
        if (e.due - entering <= window_mask_) {
            __builtin_prefetch(&near_[bucket_of(e.due)], 0, 3);
        }
    }
    for (const entry& e : v) {
        if (e.due - entering <= window_mask_) {
            const bucket& n = near_[bucket_of(e.due)];
            __builtin_prefetch(n.data() + n.size(), 1, 3);
        }
    }
    std::size_t kept = 0;
    for (const entry& e : v) {
        if (e.due - entering <= window_mask_) {
            const std::uint32_t b = bucket_of(e.due);
            near_[b].push_back(e);
            occupied_[b >> 6] |= std::uint64_t{1} << (b & 63);
        } else {
            v[kept++] = e; // a later round of this far bucket
        }
    }
    far_size_ -= v.size() - kept;
    v.resize(kept);
}

bool timer_wheel::remove(std::uint64_t pid, tick due) noexcept {
    const bool near = is_near(due);
    bucket& v = near ? near_[bucket_of(due)] : far_bucket_of(due);
    const auto it = std::find_if(v.begin(), v.end(),
                                 [&](const entry& e) { return e.pid == pid && e.due == due; });
    if (it == v.end()) {
        return false;
    }
    // Erased in place rather than swapped with the last: entries due at one tick keep the order
    // they were scheduled in.
    v.erase(it);
    --size_;
    if (near) {
        if (v.empty()) {
            mark_empty(bucket_of(due));
        }
    } else {
        --far_size_;
    }
    return true;
}

void timer_wheel::clear() noexcept {
    if (size_ == 0) {
        return;
    }
    for (std::size_t w = 0; w < occupied_.size(); ++w) {
        for (std::uint64_t bits = occupied_[w]; bits != 0; bits &= bits - 1) {
            near_[w * 64 + static_cast<std::size_t>(std::countr_zero(bits))].clear();
        }
        occupied_[w] = 0;
    }
    if (far_size_ != 0) {
        for (bucket& v : far_) {
            v.clear();
        }
    }
    size_ = 0;
    far_size_ = 0;
}

std::size_t timer_wheel::memory_bytes() const noexcept {
    std::size_t bytes = (near_.capacity() + far_.capacity()) * sizeof(bucket) +
                        occupied_.capacity() * sizeof(occupied_[0]) +
                        held_.capacity() * sizeof(entry);
    for (const auto& v : near_) {
        bytes += v.capacity() * sizeof(entry);
    }
    for (const auto& v : far_) {
        bytes += v.capacity() * sizeof(entry);
    }
    return bytes;
}

} // namespace factory::workshop
