// The timer wheel: when each worker of a roster is next due, without a timer per worker.
//
// A single-level hashed wheel: bucket_count() buckets (a power of two), the entry for tick t in
// bucket t & (bucket_count() - 1). An entry is just a pid (8 bytes). Buckets are vectors that keep
// their capacity, so once they have grown to the run's usual load nothing allocates.
//
// Lazy entries. The wheel does not own the truth: its owner (the workforce) keeps each worker's
// due tick in the roster and decides, when an entry comes round, whether it is real. Materials
// never touch the wheel; a worker has (normally) exactly one entry, in the bucket of its due
// tick, and an entry whose worker is gone or has another due is stale and is dropped when its
// bucket comes round. A due further ahead than the wheel's span (possible only when the horizon
// exceeds max_buckets ticks) stays in its bucket round after round until its tick comes:
// waits() tells the owner so.
//
// Sizing. bucket_count() is the next power of two above the horizon (the longest distance, in
// ticks, between now() and any due the owner schedules), at least min_buckets and at most
// max_buckets. Memory: 24 bytes per bucket (1.5 MiB at 65536), 8 bytes per entry plus the
// vectors' spare capacity, one bit per bucket. A bucket keeps the capacity of its fullest
// moment, so the entries' memory is about (bucket count) x (usual entries per bucket): 8 to 16
// bytes per worker when dues spread over the whole wheel, as they do when the horizon is the
// longest scheduling distance actually used (a wheel much longer than that would see each bucket
// fill in turn). A burst of hires in one tick leaves one large bucket behind.
//
// Time. now() is the last tick processed; every tick up to it has been. advance(target) processes
// the ticks after now() up to target in order, skipping empty buckets 64 at a time through an
// occupancy bitmap, and jumps straight to target as soon as the owner reports no live worker
// (then every entry is stale). target must be less than 2^31 ticks after now(); a target not
// after now() does nothing.
//
// Threads: one thread owns a wheel. Nothing here allocates except construction and a bucket (or
// the list of entries held during a sweep, see schedule()) that outgrows its capacity; both keep
// their capacity, so a steady run stops allocating once they have grown.
#pragma once

#include "workshop/ticks.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace factory::workshop {

enum class wheel_verdict : std::uint8_t {
    drop, // the entry is used up (processed or stale)
    keep  // the entry stays in its bucket for a later round (waits() was true)
};

class timer_wheel {
public:
    static constexpr std::uint32_t min_buckets = 64;
    static constexpr std::uint32_t max_buckets = 65536;
    // How many entries ahead advance() asks its owner to prefetch.
    static constexpr std::size_t prefetch_distance = 8;

    // horizon: the longest distance in ticks from now() to a due the owner will schedule.
    // start: the clock; ticks up to and including it count as processed.
    timer_wheel(tick horizon, tick start);

    tick now() const noexcept { return now_; }
    std::uint32_t bucket_count() const noexcept { return mask_ + 1; }
    std::uint32_t bucket_of(tick t) const noexcept { return t & mask_; }

    // Adds an entry for pid at `due`, which must be after now() (by less than 2^31 ticks).
    // During advance() the entry is held back and added when the current tick's sweep ends.
    void schedule(std::uint64_t pid, tick due) {
        if (sweeping_) {
            held_.push_back({pid, due});
            return;
        }
        add(pid, bucket_of(due));
    }

    // True when a worker whose due is `due`, met in the bucket of tick t, is due in a later round
    // of the same bucket (so its entry must be kept), rather than at t or stale.
    bool waits(tick due, tick t) const noexcept {
        return tick_after(due, t) && bucket_of(due) == bucket_of(t);
    }

    // Processes every tick after now() up to target, in order, then now() == target. Owner:
    //   wheel_verdict expire(std::uint64_t pid, tick t);  // pid's entry came round at tick t
    //                                                     // (now() == t); may call schedule()
    //   void prefetch(std::uint64_t pid);                 // expire(pid, ...) follows soon
    //   bool idle();                                      // true: no live worker at all
    template <class Owner>
    void advance(tick target, Owner& owner);

    // The live entry with the earliest due, searching at most one round ahead of now(); drops the
    // stale entries it passes. DueOf: bool(std::uint64_t pid, tick& due) gives the due of pid's
    // live worker, false when there is none. Returns false when no entry is live. Must not be
    // called from inside advance().
    template <class DueOf>
    bool earliest(DueOf&& due_of, std::uint64_t& pid, tick& due);

    // Removes one entry for pid from the bucket of `due` (e.g. its worker was evicted). Returns
    // whether there was one. Must not be called from inside advance().
    bool remove(std::uint64_t pid, tick due) noexcept;

    // Removes every entry; keeps the buckets' capacity and the clock.
    void clear() noexcept;
    // clear(), and the clock is set to `now`.
    void reset(tick now) noexcept {
        clear();
        now_ = now;
    }

    // Entries, stale ones included.
    std::size_t size() const noexcept { return size_; }
    // Bytes held: bucket headers, entry capacity and the bitmap (walks every bucket).
    std::size_t memory_bytes() const noexcept;

private:
    struct held_entry {
        std::uint64_t pid;
        tick due;
    };

    void add(std::uint64_t pid, std::uint32_t b) {
        buckets_[b].push_back(pid);
        occupied_[b >> 6] |= std::uint64_t{1} << (b & 63);
        ++size_;
    }
    // Adds the entries held back during a sweep.
    void add_held();
    // The first tick in [from, from + span] whose bucket holds entries, if any.
    bool next_occupied(tick from, tick span, tick& found) const noexcept;
    template <class Owner>
    void sweep(tick t, Owner& owner);

    std::vector<std::vector<std::uint64_t>> buckets_;
    std::vector<std::uint64_t> occupied_; // bit b: buckets_[b] is not empty
    std::vector<held_entry> held_;        // scheduled during the current sweep
    bool sweeping_ = false;
    std::uint32_t mask_;
    tick now_;
    std::size_t size_ = 0;
};

template <class Owner>
void timer_wheel::advance(tick target, Owner& owner) {
    while (tick_before(now_, target)) {
        if (owner.idle()) {
            clear();
            now_ = target;
            return;
        }
        tick t;
        if (!next_occupied(now_ + 1, target - now_ - 1, t)) {
            now_ = target;
            return;
        }
        now_ = t;
        sweep(t, owner);
    }
}

template <class Owner>
void timer_wheel::sweep(tick t, Owner& owner) {
    const std::uint32_t b = bucket_of(t);
    std::vector<std::uint64_t>& v = buckets_[b];
    const std::size_t n = v.size();
    for (std::size_t i = 0; i < n && i < prefetch_distance; ++i) {
        owner.prefetch(v[i]);
    }
    sweeping_ = true;
    std::size_t kept = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (i + prefetch_distance < n) {
            owner.prefetch(v[i + prefetch_distance]);
        }
        const std::uint64_t pid = v[i];
        if (owner.expire(pid, t) == wheel_verdict::keep) {
            v[kept++] = pid;
        }
    }
    sweeping_ = false;
    v.resize(kept);
    size_ -= n - kept;
    if (kept == 0) {
        occupied_[b >> 6] &= ~(std::uint64_t{1} << (b & 63));
    }
    add_held();
}

template <class DueOf>
bool timer_wheel::earliest(DueOf&& due_of, std::uint64_t& pid, tick& due) {
    bool found = false;
    tick from = now_ + 1;
    tick span = mask_; // one round: every bucket once
    tick t;
    while (next_occupied(from, span, t)) {
        const std::uint32_t b = bucket_of(t);
        std::vector<std::uint64_t>& v = buckets_[b];
        bool hit = false;
        std::size_t kept = 0;
        for (const std::uint64_t candidate : v) {
            tick d;
            if (!due_of(candidate, d) || (d != t && !waits(d, t))) {
                continue; // stale: dropped
            }
            v[kept++] = candidate;
            // Buckets are walked in tick order, so the first entry due at its bucket's tick is
            // the earliest; entries waiting for a later round compete on their due.
            if (!hit && (d == t || !found || tick_before(d, due))) {
                hit = d == t;
                found = true;
                pid = candidate;
                due = d;
            }
        }
        size_ -= v.size() - kept;
        v.resize(kept);
        if (v.empty()) {
            occupied_[b >> 6] &= ~(std::uint64_t{1} << (b & 63));
        }
        if (hit || t == from + span) {
            break;
        }
        span -= t + 1 - from;
        from = t + 1;
    }
    return found;
}

} // namespace factory::workshop
