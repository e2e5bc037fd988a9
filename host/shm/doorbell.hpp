// A doorbell: cross-process wait/notify on a Linux futex, for loops that sleep while their ring is
// empty (or full). It is an eventcount: the waiter states *what* it waits for as a predicate over
// shared memory (`ready`), the bell only says "something may have changed, look again".
//
// Placement: the doorbell lives in shared memory (the segment), constructed once by the segment's
// creator (value-initialised: seq = 0, waiters = 0) before any other process uses it. The futex is
// process-shared (not FUTEX_PRIVATE), so processes may map the segment at different addresses.
// One doorbell may serve several rings: transportation sleeps on one bell that every workshop's
// lane rings, and its `ready` checks all lanes.
//
// Cost: notify() is one fence and one load unless a waiter has armed the bell since the last wake-up;
// only then does it make a FUTEX_WAKE system call, and it disarms the bell as it does. So a producer
// that publishes often while its consumer is asleep (or woken but not yet running, which on a busy
// machine lasts a time slice) pays one system call per sleep, not one per publish. A process that
// dies while sleeping leaves the bell armed: the next notify() pays one needless FUTEX_WAKE.
#pragma once

#include <atomic>
#include <cstdint>
#include <ctime>

namespace factory::shm {

namespace detail {

enum class futex_result { woken, timed_out };

// Absolute CLOCK_MONOTONIC time `ns` nanoseconds from now.
timespec deadline_after(std::int64_t ns) noexcept;

// FUTEX_WAIT on `word` while it still holds `expected`, until the absolute CLOCK_MONOTONIC
// `deadline`. Returns timed_out only when the deadline passed; every other return (a wake-up, the
// word changed, EINTR, a spurious return) is `woken`: the caller re-checks its condition.
futex_result futex_wait_until(std::atomic<std::uint32_t>& word, std::uint32_t expected,
                              const timespec& deadline) noexcept;

// FUTEX_WAKE every waiter on `word`.
void futex_wake_all(std::atomic<std::uint32_t>& word) noexcept;

} // namespace detail

// One cache line of its own: the producer loads `seq` on every publish, and that line must not be
// one that the ring's indices bounce on.
struct alignas(64) doorbell {
    // Bit 0 (armed): a waiter may be asleep, or about to sleep, and no notify() has woken it since.
    // Bits 1-31: a generation count, advanced by each notify() that disarms. The futex word.
    std::atomic<std::uint32_t> seq{0};
    // Threads (in any process) inside the sleeping part of wait(); for reports and tests only.
    std::atomic<std::uint32_t> waiters{0};

    // Any thread, any process. Call after making a waiter's condition true (e.g. after the
    // release store of a ring index). No system call unless a waiter armed the bell since the last
    // wake-up.
    void notify() noexcept;

    // Any thread, any process. Returns as soon as ready() is true (true), or when timeout_ns
    // nanoseconds have passed without seeing it true (false). timeout_ns <= 0: checks ready() once,
    // never sleeps. `ready` must not throw and must read shared memory with at least acquire order;
    // it is called several times. A notify() that follows making ready() true is never lost.
    template <class Ready>
    bool wait(Ready&& ready, std::int64_t timeout_ns) noexcept;
};

inline constexpr std::uint32_t doorbell_armed = 1;

static_assert(std::atomic<std::uint32_t>::is_always_lock_free);
static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t),
              "the futex word must be the atomic's own storage");

// Why no wake-up is lost (the Dekker / eventcount argument):
//   notifier: [store that makes ready() true]; fence(seq_cst); s = load seq;
//             if armed: CAS seq s -> s + 1 (disarmed, next generation) and FUTEX_WAKE all
//   waiter:   a = (seq |= armed); fence(seq_cst); check ready(); FUTEX_WAIT(seq, a)
// The two seq_cst fences order "store condition / load seq" against "arm seq / load condition":
// if the notifier's load does not see the waiter's arming, the waiter's ready() sees the
// condition and it does not sleep. If the load does see it (armed), either the notifier's CAS
// succeeds: then the waiter, if not yet in the kernel, finds seq != a in FUTEX_WAIT and returns at
// once, and if already queued, is woken by the FUTEX_WAKE that follows the CAS. Or the CAS fails:
// only another notifier can have changed the word since the load (arming an armed word changes
// nothing), so another notifier disarmed it and wakes every sleeper; a waiter that re-armed after
// that is ordered after this notifier's load, so its ready() sees the condition.
// Waking all, and disarming, is right for a bell shared by several waiters: each woken one
// re-checks its own condition and re-arms before sleeping again.
// The generation wraps after 2^31 wake-ups; a waiter would have to miss exactly that many between
// arming and its FUTEX_WAIT for the value to match again.
template <class Ready>
bool doorbell::wait(Ready&& ready, std::int64_t timeout_ns) noexcept {
    if (ready()) {
        return true;
    }
    if (timeout_ns <= 0) {
        return false;
    }
    const timespec deadline = detail::deadline_after(timeout_ns);
    waiters.fetch_add(1, std::memory_order_relaxed);
    bool seen = false;
    for (;;) {
        // An RMW even when the bell is already armed, so the arming is a store the notifier's load
        // is ordered against. The fence is what the C++ model needs to pair with the fence in
        // notify() (on x86-64 the locked RMW is already a full barrier).
        const std::uint32_t armed =
            seq.fetch_or(doorbell_armed, std::memory_order_seq_cst) | doorbell_armed;
        std::atomic_thread_fence(std::memory_order_seq_cst);
        if (ready()) {
            seen = true;
            break;
        }
        if (detail::futex_wait_until(seq, armed, deadline) == detail::futex_result::timed_out) {
            seen = ready();
            break;
        }
    }
    // Relaxed: informational only; notify() does not read it.
    waiters.fetch_sub(1, std::memory_order_relaxed);
    return seen;
}

} // namespace factory::shm
