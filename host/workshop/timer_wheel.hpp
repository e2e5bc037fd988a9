// The timer wheel: when each worker of a roster is next due, without a timer per worker.
//
// Two levels. The near level is a hashed wheel of bucket_count() buckets (a power of two), one
// tick each: the entry for tick t sits in bucket t & (bucket_count() - 1). It covers exactly
// bucket_count() ticks, cut into 64 windows of window_ticks() ticks: the window holding now()
// and the 63 after it. A due beyond those goes to the far level, one bucket per window (hashed
// by window number too); when the clock leaves a window, the far bucket of the window that
// enters the near range is moved ("cascaded") into the near buckets that the finished window
// has just emptied. So every entry in a near bucket is due exactly at that bucket's next tick,
// and a sweep touches only entries that are due: a long contract (30 minutes is 27 rounds of
// the largest near level) costs one move per entry, not a roster lookup per round.
//
// An entry is the pid and its due tick (16 bytes). The far level has one bucket per window that
// a due within the horizon can reach (at most max_far_buckets), used in turn; a due even further
// ahead waits in its far bucket, which is checked against the entry's own due when its window
// comes round, without asking the owner.
//
// Order. Entries due at one tick come round in the order they were scheduled: a bucket only
// ever appends, a cascade appends a window's entries in their order to buckets that are empty
// (nothing due in that window can have gone to the near level before the cascade), and
// removal keeps order.
//
// Lazy entries. The wheel does not own the truth: its owner (the workforce) keeps each worker's
// due tick in the roster and decides, when an entry comes round, whether it is real. Materials
// never touch the wheel; a worker has (normally) exactly one entry, at its due tick, and an
// entry whose worker is gone or has another due is stale and is dropped when it comes round.
//
// Sizing. bucket_count() is the next power of two above the horizon (the longest distance, in
// ticks, between now() and any due the owner schedules), at least min_buckets and at most
// max_buckets; so with a horizon below bucket_count() - window_ticks() nothing ever goes far.
// Memory: 24 bytes per bucket header (1.5 MiB at 65536, plus 24 per far bucket), 16 bytes per
// entry plus the vectors' spare capacity, one bit per near bucket. A bucket keeps the capacity
// of its fullest moment: 16 to 32 bytes per worker when dues spread over the near level; when
// they reach into the far level, each far bucket in turn holds a window's worth and keeps that,
// about as much again (wheel_bench: 16 bytes per worker more than the one-level wheel of 8-byte
// entries for 30 s and 30 min contracts, 39 more for a 5-minute inspector).
//
// Prefetching. On a material clock each material moves the clock a few ticks, and the buckets
// due next were last touched a whole wheel ago; advance() ends by fetching the next occupied
// buckets a stage ahead (prefetch_ahead()).
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

class timer_wheel {
public:
    static constexpr std::uint32_t min_buckets = 64;
    static constexpr std::uint32_t max_buckets = 65536;
    static constexpr std::uint32_t windows = 64; // near-level windows
    static constexpr std::uint32_t max_far_buckets = 16384;
    // How many entries ahead advance() asks its owner to prefetch.
    static constexpr std::size_t prefetch_distance = 8;
    // How far past the target advance() looks for the buckets that come next, to prefetch them.
    static constexpr tick lookahead_ticks = 256;

    // horizon: the longest distance in ticks from now() to a due the owner will schedule.
    // start: the clock; ticks up to and including it count as processed.
    timer_wheel(tick horizon, tick start);

    tick now() const noexcept { return now_; }
    std::uint32_t bucket_count() const noexcept { return mask_ + 1; }
    std::uint32_t bucket_of(tick t) const noexcept { return t & mask_; }
    tick window_ticks() const noexcept { return window_mask_ + 1; }
    std::uint32_t far_bucket_count() const noexcept { return far_count_; }

    // Adds an entry for pid at `due`, which must be after now() (by less than 2^31 ticks).
    // During advance() the entry is held back and added when the current tick's sweep ends.
    void schedule(std::uint64_t pid, tick due) {
        if (sweeping_) {
            held_.push_back({pid, due});
            return;
        }
        place({pid, due});
    }

    // Processes every tick after now() up to target, in order, then now() == target. Owner:
    //   void expire(std::uint64_t pid, tick t);  // pid's entry for tick t came round (now() ==
    //                                            // t): real or stale; may call schedule()
    //   void prefetch(std::uint64_t pid);        // expire(pid, ...) follows soon
    //   bool idle();                             // true: no live worker at all
    template <class Owner>
    void advance(tick target, Owner& owner);

    // The live entry with the earliest due (the first scheduled among equal dues); drops the
    // stale entries it passes. DueOf: bool(std::uint64_t pid, tick& due) gives the due of pid's
    // live worker, false when there is none; an entry is live when that due is its own. Returns
    // false when no entry is live. Must not be called from inside advance().
    template <class DueOf>
    bool earliest(DueOf&& due_of, std::uint64_t& pid, tick& due);

    // Removes the entry for pid at `due` (e.g. its worker was evicted), keeping the order of the
    // others. Returns whether there was one. Must not be called from inside advance().
    bool remove(std::uint64_t pid, tick due) noexcept;

    // Removes every entry; keeps the buckets' capacity and the clock.
    void clear() noexcept;
    // clear(), and the clock is set to `now`.
    void reset(tick now) noexcept {
        clear();
        now_ = now;
        base_ = now & ~window_mask_;
    }

    // Entries, stale ones included.
    std::size_t size() const noexcept { return size_; }
    // Entries in the far level (waiting to be cascaded).
    std::size_t far_size() const noexcept { return far_size_; }
    // Bytes held: bucket headers, entry capacity and the bitmap (walks every bucket).
    std::size_t memory_bytes() const noexcept;

private:
    struct entry {
        std::uint64_t pid;
        tick due;
    };
    using bucket = std::vector<entry>;

    // Near when due falls in [base_, base_ + bucket_count()): the near level's ticks.
    bool is_near(tick due) const noexcept { return due - base_ <= mask_; }
    // Far bucket k after far_head_ holds the window (windows + k) windows after base_'s, modulo
    // the far bucket count (so a due beyond the far level shares a bucket with an earlier one).
    bucket& far_bucket_of(tick due) noexcept {
        const std::uint32_t k = ((due - base_) >> window_shift_) - windows;
        std::uint32_t i = far_head_ + (k < far_count_ ? k : k % far_count_);
        i -= i >= far_count_ ? far_count_ : 0;
        return far_[i];
    }
    void place(const entry& e) {
        if (is_near(e.due)) {
            const std::uint32_t b = bucket_of(e.due);
            near_[b].push_back(e);
            occupied_[b >> 6] |= std::uint64_t{1} << (b & 63);
        } else {
            far_bucket_of(e.due).push_back(e);
            ++far_size_;
        }
        ++size_;
    }
    void mark_empty(std::uint32_t b) noexcept {
        occupied_[b >> 6] &= ~(std::uint64_t{1} << (b & 63));
    }
    // Adds the entries held back during a sweep.
    void add_held();
    // The window at base_ is done: the next one becomes the first, and the far bucket of the
    // window entering the near range moves in.
    void cascade();
    // The first tick in [from, from + span] whose bucket holds entries, if any.
    bool next_occupied(tick from, tick span, tick& found) const noexcept;
    template <class Owner>
    void sweep(tick t, Owner& owner);
    template <class Owner>
    void prefetch_ahead(Owner& owner) const noexcept;
    // Drops the stale entries of v (per due_of), keeping order; the first live one whose due
    // is in [lo, lo + span] and earliest (first among equals) is returned through pid/due.
    template <class DueOf>
    bool scan(bucket& v, DueOf& due_of, tick lo, tick span, std::uint64_t& pid, tick& due);

    std::vector<bucket> near_;
    std::vector<bucket> far_;
    std::vector<std::uint64_t> occupied_; // bit b: near_[b] is not empty
    std::vector<entry> held_;             // scheduled during the current sweep
    bool sweeping_ = false;
    std::uint32_t mask_;
    std::uint32_t window_shift_;
    tick window_mask_;
    std::uint32_t far_count_;
    std::uint32_t far_head_ = 0; // the far bucket of the window that the next cascade brings in
    tick now_;
    tick base_; // first tick of the window holding now() (or now() + 1 after a cascade)
    std::size_t size_ = 0;
    std::size_t far_size_ = 0;
};

template <class Owner>
void timer_wheel::advance(tick target, Owner& owner) {
    while (tick_before(now_, target)) {
        if (owner.idle()) {
            clear();
            now_ = target;
            base_ = target & ~window_mask_;
            return;
        }
        const tick last = base_ + window_mask_; // the window's last tick
        if (now_ == last) {
            cascade();
            continue;
        }
        const tick limit = tick_earliest(target, last);
        tick t;
        if (next_occupied(now_ + 1, limit - now_ - 1, t)) {
            now_ = t;
            sweep(t, owner);
        } else {
            now_ = limit;
        }
    }
    prefetch_ahead(owner);
}

template <class Owner>
void timer_wheel::prefetch_ahead(Owner& owner) const noexcept {
    // A material clock moves a few ticks per material, and the buckets due next were last
    // touched a whole wheel ago: three cache misses per sweep (the bucket's header, its entries,
    // the worker), each waited for in turn. Fetched a stage per call ahead instead, while the
    // material in between is assembled: the third occupied bucket's header, the second's
    // entries, the first's workers (each stage's own loads were fetched by an earlier call).
    tick t1;
    if (size_ == far_size_ || !next_occupied(now_ + 1, lookahead_ticks, t1)) {
        return;
    }
    const bucket& v = near_[bucket_of(t1)];
    for (std::size_t i = 0; i < v.size() && i < prefetch_distance; ++i) {
        owner.prefetch(v[i].pid);
    }
    tick t2;
    if (next_occupied(t1 + 1, lookahead_ticks, t2)) {
        __builtin_prefetch(near_[bucket_of(t2)].data(), 0, 3);
        tick t3;
        if (next_occupied(t2 + 1, lookahead_ticks, t3)) {
            __builtin_prefetch(&near_[bucket_of(t3)], 0, 3);
        }
    }
}

template <class Owner>
void timer_wheel::sweep(tick t, Owner& owner) {
    const std::uint32_t b = bucket_of(t);
    bucket& v = near_[b];
    const std::size_t n = v.size();
    for (std::size_t i = 0; i < n && i < prefetch_distance; ++i) {
        owner.prefetch(v[i].pid);
    }
    sweeping_ = true;
    for (std::size_t i = 0; i < n; ++i) {
        if (i + prefetch_distance < n) {
            owner.prefetch(v[i + prefetch_distance].pid);
        }
        owner.expire(v[i].pid, t);
    }
    sweeping_ = false;
    v.clear();
    size_ -= n;
    mark_empty(b);
    add_held();
}

template <class DueOf>
bool timer_wheel::scan(bucket& v, DueOf& due_of, tick lo, tick span, std::uint64_t& pid,
                       tick& due) {
    bool found = false;
    std::size_t kept = 0;
    for (const entry& e : v) {
        tick d;
        if (!due_of(e.pid, d) || d != e.due) {
            continue; // stale: dropped
        }
        v[kept++] = e;
        if (e.due - lo <= span && (!found || tick_before(e.due, due))) {
            found = true;
            pid = e.pid;
            due = e.due;
        }
    }
    size_ -= v.size() - kept;
    v.resize(kept);
    return found;
}

template <class DueOf>
bool timer_wheel::earliest(DueOf&& due_of, std::uint64_t& pid, tick& due) {
    // Near level, tick by tick: every entry of a bucket is due at that bucket's tick.
    const tick near_end = base_ + mask_;
    tick from = now_ + 1;
    tick t;
    while (tick_not_after(from, near_end) && next_occupied(from, near_end - from, t)) {
        const std::uint32_t b = bucket_of(t);
        const bool hit = scan(near_[b], due_of, t, 0, pid, due);
        if (near_[b].empty()) {
            mark_empty(b);
        }
        if (hit) {
            return true;
        }
        if (t == near_end) {
            break;
        }
        from = t + 1;
    }
    // Far level, window by window; a bucket may also hold entries of later rounds, so the first
    // round looks only at its own window, and the rest are compared by due afterwards.
    const tick span = window_mask_;
    tick window = near_end + 1;
    for (std::uint32_t i = 0; i < far_count_ && far_size_ != 0; ++i, window += span + 1) {
        bucket& v = far_bucket_of(window);
        const std::size_t n = v.size();
        const bool hit = scan(v, due_of, window, span, pid, due);
        far_size_ -= n - v.size();
        if (hit) {
            return true;
        }
    }
    bool found = false;
    for (bucket& v : far_) {
        std::uint64_t p;
        tick d;
        if (!v.empty() && scan(v, due_of, now_ + 1, max_duration, p, d) &&
            (!found || tick_before(d, due))) {
            found = true;
            pid = p;
            due = d;
        }
    }
    return found;
}

} // namespace factory::workshop
