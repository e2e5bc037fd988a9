// Counting a workshop's products exactly across a crash. Publishing the transportation lane (one
// release store of its tail) and the counts that go with it (`shipped` and `handed_over` up)
// cannot be one store: a workshop killed between them would leave products that transportation delivers but
// nobody counted as shipped, and count their materials lost although they left in products. So
// the workshop first writes what the counts will be and the tail that makes them true, then
// publishes, then sets the counts and clears that intent. The host, once the process is dead,
// finishes an intent whose tail the lane reached, and drops one it did not reach: those products
// never became visible, and their materials are still at risk (lost with the workers).
#pragma once

#include "shm/ring.hpp"
#include "shm/stats.hpp"

#include <atomic>
#include <cstdint>

namespace factory::shm {

// Workshop, before producer::publish(): the counts once the lane's tail is `tail_after`.
inline void announce_publish(workshop_stats& w, std::uint64_t tail_after, std::uint64_t shipped_after,
                             std::uint64_t handed_over_after) noexcept {
    w.pending_shipped.set(shipped_after);
    w.pending_handed_over.set(handed_over_after);
    // Release: the values are in place before the intent that points at them.
    w.pending_tail.store(tail_after, std::memory_order_release);
}

// Workshop, after producer::publish(); or the host finishing it (settles the same values again
// when the workshop got that far: the stores are idempotent).
inline void settle_publish(workshop_stats& w) noexcept {
    w.shipped.set(w.pending_shipped.get());
    w.handed_over.set(w.pending_handed_over.get());
    w.pending_tail.store(0, std::memory_order_release);
}

// Host, once the workshop process is dead (nothing else writes these): finishes or drops a publish
// it died in. Returns true when one was published and its counts are now settled.
inline bool finish_publish(workshop_stats& w, const ring_control& lane) noexcept {
    const std::uint64_t tail_after = w.pending_tail.load(std::memory_order_acquire);
    if (tail_after == 0) return false;
    if (lane.tail.load(std::memory_order_acquire) >= tail_after) {
        settle_publish(w);
        return true;
    }
    w.pending_tail.store(0, std::memory_order_release);
    return false;
}

} // namespace factory::shm
