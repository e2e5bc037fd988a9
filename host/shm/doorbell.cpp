#include "shm/doorbell.hpp"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

namespace factory::shm {

namespace detail {

namespace {

// The kernel only needs the word's address; std::atomic<uint32_t> is exactly that word
// (static_assert in the header).
std::uint32_t* futex_address(std::atomic<std::uint32_t>& word) noexcept {
    return reinterpret_cast<std::uint32_t*>(&word);
}

} // namespace

timespec deadline_after(std::int64_t ns) noexcept {
    constexpr std::int64_t per_second = 1'000'000'000;
    timespec now{};
    // CLOCK_MONOTONIC: the clock FUTEX_WAIT_BITSET measures absolute timeouts against; immune to
    // wall-clock steps. Served by the vDSO, no system call.
    clock_gettime(CLOCK_MONOTONIC, &now);
    timespec at{};
    at.tv_sec = now.tv_sec + static_cast<time_t>(ns / per_second);
    long nsec = now.tv_nsec + static_cast<long>(ns % per_second);
    if (nsec >= per_second) {
        nsec -= per_second;
        ++at.tv_sec;
    }
    at.tv_nsec = nsec;
    return at;
}

futex_result futex_wait_until(std::atomic<std::uint32_t>& word, std::uint32_t expected,
                              const timespec& deadline) noexcept {
    // FUTEX_WAIT_BITSET rather than FUTEX_WAIT: its timeout is absolute, so a loop that is woken
    // spuriously or by EINTR goes back to sleep without recomputing (or stretching) the time left.
    // No FUTEX_PRIVATE_FLAG: the word is in a MAP_SHARED segment and the waker may be another
    // process, which the kernel can only match by the page's shared key. No FUTEX_CLOCK_REALTIME:
    // the deadline is on CLOCK_MONOTONIC.
    const long rc = syscall(SYS_futex, futex_address(word), FUTEX_WAIT_BITSET, expected, &deadline,
                            nullptr, FUTEX_BITSET_MATCH_ANY);
    if (rc == -1 && errno == ETIMEDOUT) {
        return futex_result::timed_out;
    }
    // 0 (woken, possibly spuriously), EAGAIN (the word already changed) and EINTR (a signal) all
    // mean "look again".
    return futex_result::woken;
}

void futex_wake_all(std::atomic<std::uint32_t>& word) noexcept {
    // Wake all, not one: several loops may share a bell and each checks its own condition.
    syscall(SYS_futex, futex_address(word), FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0);
}

} // namespace detail

void doorbell::notify() noexcept {
    // Pairs with the fence in wait(): orders the caller's store (a ring index) before the load of
    // `seq`, which an acquire/release pair cannot do (store-load ordering).
    std::atomic_thread_fence(std::memory_order_seq_cst);
    std::uint32_t observed = seq.load(std::memory_order_relaxed);
    if ((observed & doorbell_armed) == 0) {
        return;
    }
    // Disarm and advance the generation in one step, so that of several notifiers racing here only
    // one makes the system call; the losers' CAS fails only because the winner changed the word,
    // and the winner wakes everyone. Release: a waiter that reads the new value also sees what the
    // caller stored before notify().
    if (seq.compare_exchange_strong(observed, observed + 1, std::memory_order_release,
                                    std::memory_order_relaxed)) {
        detail::futex_wake_all(seq);
    }
}

} // namespace factory::shm
