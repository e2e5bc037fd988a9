// The idle strategy: its phases, reset, and a sleeping loop woken by its doorbell.
#include "support/watchdog.hpp"
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <thread>

#include "shm/backoff.hpp"

using namespace factory::shm;
using factory::testing::watchdog;

namespace {

constexpr auto never = [] { return false; };

} // namespace

TEST_CASE("backoff spins, then yields, then sleeps", "[backoff]") {
    watchdog guard(20);
    doorbell bell;
    backoff idle(3, 2);
    for (int i = 0; i < 3; ++i) {
        idle.idle(bell, never, 1'000'000);
    }
    CHECK(idle.spins() == 3);
    CHECK(idle.yields() == 0);
    CHECK(idle.sleeps() == 0);
    for (int i = 0; i < 2; ++i) {
        idle.idle(bell, never, 1'000'000);
    }
    CHECK(idle.spins() == 3);
    CHECK(idle.yields() == 2);
    CHECK(idle.sleeps() == 0);
    idle.idle(bell, never, 1'000'000);
    idle.idle(bell, never, 1'000'000);
    CHECK(idle.spins() == 3);
    CHECK(idle.yields() == 2);
    CHECK(idle.sleeps() == 2);
    CHECK(bell.waiters.load() == 0);
}

TEST_CASE("reset starts the next idle over with spinning", "[backoff]") {
    watchdog guard(20);
    doorbell bell;
    backoff idle(1, 1);
    idle.idle(bell, never, 1'000'000);
    idle.idle(bell, never, 1'000'000);
    idle.idle(bell, never, 1'000'000);
    CHECK(idle.sleeps() == 1);
    idle.reset();
    idle.idle(bell, never, 1'000'000);
    CHECK(idle.spins() == 2);
    CHECK(idle.sleeps() == 1);
}

TEST_CASE("without a sleep budget backoff yields instead of sleeping", "[backoff]") {
    doorbell bell;
    backoff idle(0, 0);
    for (int i = 0; i < 5; ++i) {
        idle.idle(bell, never, 0);
    }
    CHECK(idle.spins() == 0);
    CHECK(idle.yields() == 5);
    CHECK(idle.sleeps() == 0);
}

TEST_CASE("default limits spin and yield before sleeping", "[backoff]") {
    doorbell bell;
    backoff idle;
    const std::uint64_t steps = std::uint64_t{backoff::default_spin_limit} + backoff::default_yield_limit;
    for (std::uint64_t i = 0; i < steps; ++i) {
        idle.idle(bell, never, 1'000'000);
    }
    CHECK(idle.spins() == backoff::default_spin_limit);
    CHECK(idle.yields() == backoff::default_yield_limit);
    CHECK(idle.sleeps() == 0);
    CHECK(backoff::default_spin_limit > 0);
    CHECK(backoff::default_yield_limit > 0);
}

TEST_CASE("a loop asleep in backoff wakes when its bell rings", "[backoff]") {
    watchdog guard(20);
    doorbell bell;
    std::atomic<std::uint32_t> work{0};
    std::uint64_t sleeps = 0;
    std::thread loop([&] {
        backoff idle(4, 4);
        auto ready = [&] { return work.load(std::memory_order_acquire) != 0; };
        while (!ready()) {
            // 60 s: longer than the watchdog, so only the bell can end this sleep in time.
            idle.idle(bell, ready, 60'000'000'000);
        }
        sleeps = idle.sleeps();
    });
    while (bell.waiters.load() == 0 || (bell.seq.load() & doorbell_armed) == 0) {
        std::this_thread::yield();
    }
    work.store(1, std::memory_order_release);
    bell.notify();
    loop.join();
    CHECK(sleeps == 1);
}
