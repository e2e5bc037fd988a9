// The idle strategy of a loop whose ring is empty (consumer) or full (producer): spin briefly, then
// yield the core a while, then sleep on a doorbell.
//
// The trade-off, on a machine where several factory processes share few cores (the reference box
// has 2 cores for purchasing, N workshops and transportation):
// - Spinning reacts within nanoseconds, but a spinning process holds a core that the process it is
//   waiting for may need: on a shared core, long spinning delays the very producer it waits on.
// - sched_yield() hands the core to any runnable process on it and comes back at once when there is
//   none (about 0.6 us on the reference box); it still burns the core when nothing else runs.
// - Sleeping on the futex costs nothing while idle, but the sleeper pays tens of microseconds to
//   wake, and the side that rings pays a FUTEX_WAKE system call (a few microseconds) per notify
//   while someone sleeps.
// So the defaults spin and yield for roughly as long as one sleep/wake round trip costs (about 4 us
// of pauses, then about 20 us of yields), then sleep: never worse than twice the best choice made
// with hindsight (the ski-rental argument). The targets this serves:
// - nothing flowing: every loop sleeps; the whole factory stays under 5% of one core (a loop wakes
//   only for its timers, every max_sleep_ns);
// - 1000 records/s: each record finds the consumer asleep, the wake-up adds tens of microseconds,
//   far under the 1 ms p99 target;
// - busy: the consumer finds records without ever sleeping, the producer's notify() finds no waiter
//   and makes no system call, so the loss is the cost of the (rare) spin steps: a few percent.
// Raise the limits on a machine with idle cores to spare (lower latency), lower them when the
// processes outnumber the cores.
#pragma once

#include <sched.h>

#include <cstdint>

#include "shm/doorbell.hpp"

namespace factory::shm {

// One per loop; not shared between threads.
class backoff {
public:
    static constexpr std::uint32_t default_spin_limit = 128; // pause steps, ~30 ns each on Zen 4
    static constexpr std::uint32_t default_yield_limit = 32; // sched_yield() steps

    // spin_limit: idle() calls that pause before the loop starts yielding; yield_limit: idle()
    // calls that yield before it starts sleeping. Either may be 0.
    explicit backoff(std::uint32_t spin_limit = default_spin_limit,
                     std::uint32_t yield_limit = default_yield_limit) noexcept
        : spin_limit_(spin_limit), yield_limit_(yield_limit) {}

    // Call when the loop found nothing to do; it then checks its ring again. Each call is one step:
    // a pause, a yield, or (once the spin and yield steps are used up) a sleep on `bell` until
    // ready() or max_sleep_ns nanoseconds, whichever comes first (the loop's next timer is due then).
    // max_sleep_ns <= 0: never sleeps, yields instead. `ready` is the condition the loop waits for
    // (records visible, room free, ring closed), read with acquire order; see doorbell::wait().
    template <class Ready>
    void idle(doorbell& bell, Ready&& ready, std::int64_t max_sleep_ns) noexcept {
        if (step_ < spin_limit_) {
            ++step_;
            ++spins_;
            cpu_relax();
            return;
        }
        const std::uint64_t yield_end = std::uint64_t{spin_limit_} + yield_limit_;
        if (step_ < yield_end || max_sleep_ns <= 0) {
            if (step_ < yield_end) {
                ++step_;
            }
            ++yields_;
            sched_yield();
            return;
        }
        ++sleeps_;
        bell.wait(ready, max_sleep_ns);
    }

    // Call when the loop found work: the next idle() starts spinning again. Do not call it after a
    // sleep that only timed out (e.g. to run timers): the loop would spin and yield again on every
    // timer tick of an idle factory.
    void reset() noexcept { step_ = 0; }

    // Steps taken since construction (reset() does not clear them), for the ops report.
    [[nodiscard]] std::uint64_t spins() const noexcept { return spins_; }
    [[nodiscard]] std::uint64_t yields() const noexcept { return yields_; }
    [[nodiscard]] std::uint64_t sleeps() const noexcept { return sleeps_; }

private:
    static void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
        // PAUSE: tells the core this is a spin-wait (saves power, and avoids the memory-order
        // mis-speculation flush when the awaited line changes).
        __builtin_ia32_pause();
#elif defined(__aarch64__)
        asm volatile("yield" ::: "memory");
#endif
    }

    std::uint32_t spin_limit_;
    std::uint32_t yield_limit_;
    std::uint32_t step_ = 0;
    std::uint64_t spins_ = 0;
    std::uint64_t yields_ = 0;
    std::uint64_t sleeps_ = 0;
};

} // namespace factory::shm
