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
// Cost: notify() is one fence and one load while nobody sleeps (no system call). A process that
// dies while sleeping leaves `waiters` above zero; that is harmless (every notify then makes a
// FUTEX_WAKE that finds nobody) and is cleared only when the segment is recreated.
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

// One cache line of its own: the producer loads `waiters` on every publish, and that line must not
// be one that the ring's indices bounce on.
struct alignas(64) doorbell {
    std::atomic<std::uint32_t> seq{0};     // bumped by every notify() that found a waiter
    std::atomic<std::uint32_t> waiters{0}; // threads (in any process) inside wait()

    // Any thread, any process. Call after making a waiter's condition true (e.g. after the
    // release store of a ring index). No system call unless someone is registered as waiting.
    void notify() noexcept;

    // Any thread, any process. Returns as soon as ready() is true (true), or when timeout_ns
    // nanoseconds have passed without seeing it true (false). timeout_ns <= 0: checks ready() once,
    // never sleeps. `ready` must not throw and must read shared memory with at least acquire order;
    // it is called several times. A notify() that follows making ready() true is never lost.
    template <class Ready>
    bool wait(Ready&& ready, std::int64_t timeout_ns) noexcept;
};

static_assert(std::atomic<std::uint32_t>::is_always_lock_free);
static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t),
              "the futex word must be the atomic's own storage");

// Why no wake-up is lost (the classic Dekker/eventcount argument):
//   notifier: [store that makes ready() true]; fence(seq_cst); load waiters; if > 0: seq += 1, wake
//   waiter:   waiters += 1; fence(seq_cst); s = load seq; check ready(); futex_wait(seq, s)
// The two seq_cst fences order "store condition / load waiters" against "store waiters / load
// condition": at least one side sees the other's store. Either the waiter's ready() sees the
// condition (it does not sleep), or the notifier sees waiters > 0 and bumps seq. In the latter case
// the waiter either read seq after the bump (the bump is a release and the condition was stored
// before it, so ready() then sees the condition), or it read the old value s: then the kernel's
// FUTEX_WAIT finds seq != s and returns at once, or it queued the waiter before the bump and the
// FUTEX_WAKE that follows the bump wakes it. seq wraps after 2^32 bumps; a waiter would have to
// miss exactly 2^32 of them between its load and its FUTEX_WAIT for the value to match again.
template <class Ready>
bool doorbell::wait(Ready&& ready, std::int64_t timeout_ns) noexcept {
    if (ready()) {
        return true;
    }
    if (timeout_ns <= 0) {
        return false;
    }
    const timespec deadline = detail::deadline_after(timeout_ns);
    // The RMW is already a full barrier on x86-64; the fence is what the C++ model needs to pair
    // with the fence in notify().
    waiters.fetch_add(1, std::memory_order_seq_cst);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    bool seen = false;
    for (;;) {
        // Acquire pairs with the release bump in notify(): a waiter that sees the new seq also sees
        // the condition stored before it.
        const std::uint32_t observed = seq.load(std::memory_order_acquire);
        if (ready()) {
            seen = true;
            break;
        }
        if (detail::futex_wait_until(seq, observed, deadline) == detail::futex_result::timed_out) {
            seen = ready();
            break;
        }
    }
    // Relaxed: a notifier that still sees us registered only pays for one needless FUTEX_WAKE.
    waiters.fetch_sub(1, std::memory_order_relaxed);
    return seen;
}

} // namespace factory::shm
