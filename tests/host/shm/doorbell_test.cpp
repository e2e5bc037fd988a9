// The doorbell: notify without sleepers, timeouts, wake-ups across threads and processes, EINTR.
// Every test that could hang runs under a watchdog that kills the binary with a message instead.
#include "support/watchdog.hpp"
#include <catch2/catch.hpp>

#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <new>
#include <thread>

#include "shm/doorbell.hpp"

using namespace factory::shm;
using factory::testing::watchdog;

namespace {

constexpr unsigned watchdog_seconds = 20;
// Longer than the watchdog: a lost wake-up shows as a watchdog failure, not as a slow pass.
constexpr std::int64_t long_wait_ns = 60'000'000'000;

// A doorbell and a flag in an anonymous MAP_SHARED mapping, shared with children after fork().
struct shared_state {
    doorbell bell;
    std::atomic<std::uint32_t> flag{0};
};

shared_state* map_shared_state() {
    void* at = mmap(nullptr, sizeof(shared_state), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                    -1, 0);
    REQUIRE(at != MAP_FAILED);
    return ::new (at) shared_state{};
}

// In a forked child: die with the parent, and on our own watchdog (alarms are not inherited).
void child_guard(pid_t parent) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) {
        _exit(71);
    }
    signal(SIGALRM, SIG_DFL);
    alarm(watchdog_seconds);
}

// Waits for a child with the watchdog running; returns its exit status, or -1.
int join_child(pid_t child) {
    int status = 0;
    while (waitpid(child, &status, 0) == -1) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Until `count` waiters are inside wait() and the bell is armed (they are asleep or about to be).
void wait_until_registered(const doorbell& bell, std::uint32_t count) {
    while (bell.waiters.load() < count || (bell.seq.load() & doorbell_armed) == 0) {
        std::this_thread::yield();
    }
}

std::atomic<int> signals_handled{0};
void on_usr1(int) { signals_handled.fetch_add(1); }

} // namespace

TEST_CASE("notify with nobody waiting leaves the bell untouched", "[doorbell]") {
    doorbell bell;
    for (int i = 0; i < 1000; ++i) {
        bell.notify();
    }
    CHECK(bell.seq.load() == 0);
}

TEST_CASE("notify wakes an armed bell once, then is free again until a waiter re-arms", "[doorbell]") {
    doorbell bell;
    bell.seq.store(doorbell_armed); // as a waiter does before sleeping
    bell.notify();
    CHECK(bell.seq.load() == 2); // disarmed, next generation
    // Further notifies (a producer publishing while its woken consumer is not yet running) make no
    // system call and leave the word alone.
    bell.notify();
    bell.notify();
    CHECK(bell.seq.load() == 2);
    bell.seq.fetch_or(doorbell_armed);
    bell.notify();
    CHECK(bell.seq.load() == 4);
}

TEST_CASE("a doorbell fits one cache line of its own", "[doorbell]") {
    CHECK(sizeof(doorbell) == 64);
    CHECK(alignof(doorbell) == 64);
}

TEST_CASE("wait returns at once when the condition already holds", "[doorbell]") {
    watchdog guard(watchdog_seconds);
    doorbell bell;
    CHECK(bell.wait([] { return true; }, long_wait_ns));
    CHECK(bell.wait([] { return true; }, 0));
    CHECK(bell.waiters.load() == 0);
}

TEST_CASE("wait gives up after its timeout and deregisters", "[doorbell]") {
    watchdog guard(watchdog_seconds);
    doorbell bell;
    int checks = 0;
    CHECK_FALSE(bell.wait([&] { ++checks; return false; }, 1'000'000));
    CHECK(checks >= 2); // checked before sleeping and again at the deadline
    CHECK(bell.waiters.load() == 0);
    CHECK_FALSE(bell.wait([] { return false; }, 0));
    CHECK_FALSE(bell.wait([] { return false; }, -5));
}

TEST_CASE("wait sees a condition that became true at the deadline", "[doorbell]") {
    watchdog guard(watchdog_seconds);
    doorbell bell;
    int checks = 0;
    // False before sleeping, true on the check after the (timed-out) sleep.
    CHECK(bell.wait([&] { return ++checks > 2; }, 1'000'000));
}

TEST_CASE("notify wakes a thread sleeping on the bell", "[doorbell]") {
    watchdog guard(watchdog_seconds);
    doorbell bell;
    std::atomic<std::uint32_t> flag{0};
    bool woken = false;
    std::thread sleeper([&] { woken = bell.wait([&] { return flag.load(std::memory_order_acquire) != 0; },
                                               long_wait_ns); });
    wait_until_registered(bell, 1);
    flag.store(1, std::memory_order_release);
    bell.notify();
    sleeper.join();
    CHECK(woken);
    CHECK(bell.waiters.load() == 0);
}

TEST_CASE("one bell wakes every thread sleeping on it", "[doorbell]") {
    watchdog guard(watchdog_seconds);
    doorbell bell;
    std::atomic<std::uint32_t> flag{0};
    std::atomic<int> woken{0};
    auto sleep_on_bell = [&] {
        if (bell.wait([&] { return flag.load(std::memory_order_acquire) != 0; }, long_wait_ns)) {
            woken.fetch_add(1);
        }
    };
    std::thread a(sleep_on_bell);
    std::thread b(sleep_on_bell);
    std::thread c(sleep_on_bell);
    wait_until_registered(bell, 3);
    flag.store(1, std::memory_order_release);
    bell.notify();
    a.join();
    b.join();
    c.join();
    CHECK(woken.load() == 3);
}

TEST_CASE("no wake-up is lost in a long ping-pong between two threads", "[doorbell]") {
    // Each side hands the turn over and sleeps until it comes back. A lost wake-up leaves both
    // asleep until the watchdog fires.
    watchdog guard(watchdog_seconds);
    doorbell bell_a;
    doorbell bell_b;
    std::atomic<std::uint32_t> turn{0}; // even: a's turn, odd: b's
    constexpr std::uint32_t rounds = 20'000;
    std::thread b([&] {
        for (std::uint32_t i = 0; i < rounds; ++i) {
            const std::uint32_t mine = 2 * i + 1;
            bell_b.wait([&] { return turn.load(std::memory_order_acquire) == mine; }, long_wait_ns);
            turn.store(mine + 1, std::memory_order_release);
            bell_a.notify();
        }
    });
    std::uint32_t completed = 0;
    for (std::uint32_t i = 0; i < rounds; ++i) {
        const std::uint32_t mine = 2 * i;
        if (!bell_a.wait([&] { return turn.load(std::memory_order_acquire) == mine; }, long_wait_ns)) {
            break;
        }
        turn.store(mine + 1, std::memory_order_release);
        bell_b.notify();
        ++completed;
    }
    b.join();
    CHECK(completed == rounds);
    CHECK(turn.load() == 2 * rounds);
}

TEST_CASE("signals interrupting the sleep do not end the wait", "[doorbell]") {
    watchdog guard(watchdog_seconds);
    struct sigaction action {};
    action.sa_handler = on_usr1;
    action.sa_flags = 0; // no SA_RESTART: FUTEX_WAIT returns EINTR
    sigemptyset(&action.sa_mask);
    struct sigaction previous {};
    sigaction(SIGUSR1, &action, &previous);

    doorbell bell;
    std::atomic<std::uint32_t> flag{0};
    bool woken = false;
    std::thread sleeper([&] { woken = bell.wait([&] { return flag.load(std::memory_order_acquire) != 0; },
                                               long_wait_ns); });
    wait_until_registered(bell, 1);
    signals_handled.store(0);
    for (int i = 0; i < 5; ++i) {
        const int before = signals_handled.load();
        pthread_kill(sleeper.native_handle(), SIGUSR1);
        while (signals_handled.load() == before) {
            std::this_thread::yield();
        }
    }
    // Had an EINTR ended the wait, it would have returned false (the flag was still clear).
    flag.store(1, std::memory_order_release);
    bell.notify();
    sleeper.join();
    sigaction(SIGUSR1, &previous, nullptr);
    CHECK(signals_handled.load() == 5);
    CHECK(woken);
}

TEST_CASE("a child process wakes its parent through a shared bell", "[doorbell][process]") {
    watchdog guard(watchdog_seconds);
    shared_state* shared = map_shared_state();
    const pid_t parent = getpid();
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        child_guard(parent);
        wait_until_registered(shared->bell, 1);
        shared->flag.store(1, std::memory_order_release);
        shared->bell.notify();
        _exit(0);
    }
    const bool woken =
        shared->bell.wait([&] { return shared->flag.load(std::memory_order_acquire) != 0; }, long_wait_ns);
    CHECK(join_child(child) == 0);
    CHECK(woken);
    munmap(shared, sizeof(shared_state));
}

TEST_CASE("a parent wakes its child through a shared bell", "[doorbell][process]") {
    watchdog guard(watchdog_seconds);
    shared_state* shared = map_shared_state();
    const pid_t parent = getpid();
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        child_guard(parent);
        const bool woken = shared->bell.wait(
            [&] { return shared->flag.load(std::memory_order_acquire) != 0; }, long_wait_ns);
        _exit(woken ? 0 : 1);
    }
    wait_until_registered(shared->bell, 1);
    shared->flag.store(1, std::memory_order_release);
    shared->bell.notify();
    CHECK(join_child(child) == 0);
    CHECK(shared->bell.waiters.load() == 0);
    munmap(shared, sizeof(shared_state));
}
