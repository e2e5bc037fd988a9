#include "workshop/ticks.hpp"

#include <catch2/catch.hpp>

#include <cstdint>

using namespace factory;

TEST_CASE("tick comparisons wrap around 2^32", "[ticks]") {
    CHECK(tick_before(1, 2));
    CHECK_FALSE(tick_before(2, 2));
    CHECK(tick_before(0xfffffff0U, 5));     // 5 comes after the wrap
    CHECK(tick_after(5, 0xfffffff0U));
    CHECK(tick_not_before(7, 7));
    CHECK(tick_not_after(0xffffffffU, 0));
    CHECK(tick_latest(0xfffffffeU, 3) == 3);
    CHECK(tick_earliest(0xfffffffeU, 3) == 0xfffffffeU);
}

TEST_CASE("ns to tick floors, before the epoch too", "[ticks]") {
    CHECK(tick_of_ns(0) == 0);
    CHECK(tick_of_ns(999'999) == 0);
    CHECK(tick_of_ns(1'000'000) == 1);
    CHECK(tick_of_ns(-1) == 0xffffffffU);
    CHECK(tick_of_ns(-1'000'000) == 0xffffffffU);
    CHECK(tick_of_ns(-1'000'001) == 0xfffffffeU);
    // 2^32 ms later the tick is the same again.
    CHECK(tick_of_ns(5'000'000 + (std::int64_t{1} << 32) * 1'000'000) == 5);
}

TEST_CASE("durations round up to whole ticks, at least one, at most 2^31-1", "[ticks]") {
    CHECK(ticks_of_duration_ns(0) == 1);
    CHECK(ticks_of_duration_ns(1) == 1);
    CHECK(ticks_of_duration_ns(1'000'000) == 1);
    CHECK(ticks_of_duration_ns(1'000'001) == 2);
    CHECK(ticks_of_duration_ns(30'000'000'000) == 30'000);
    CHECK(ticks_of_duration_ns(max_duration_ns) == max_duration);
    CHECK(ticks_of_duration_ns(max_duration_ns * 4) == max_duration);
}

TEST_CASE("a tick shown as ns unwraps to the occurrence nearest the reference", "[ticks]") {
    const std::int64_t now_ns = 1'700'000'000'123'456'789;
    const tick now = tick_of_ns(now_ns);
    CHECK(ns_of_tick(now, now_ns) == 1'700'000'000'123'000'000);
    CHECK(ns_of_tick(now - 1500, now_ns) == 1'700'000'000'123'000'000 - 1'500'000'000);
    CHECK(ns_of_tick(now + 20, now_ns) == 1'700'000'000'123'000'000 + 20'000'000);
    CHECK(ns_of_tick(tick_of_ns(-2'500'000), -1'000'000) == -3'000'000);
}

TEST_CASE("a tick is shown on another clock through a reference tick and time", "[ticks]") {
    // The wall clock: ticks come from the monotonic clock, the blueprint sees Unix time.
    const tick now = tick_of_ns(5'000'000'123'456); // monotonic
    const std::int64_t unix_now = 1'700'000'000'777'000'001;
    CHECK(ns_of_tick(now, now, unix_now) == unix_now);
    CHECK(ns_of_tick(now - 1500, now, unix_now) == unix_now - 1'500'000'000);
    CHECK(ns_of_tick(now + 20, now, unix_now) == unix_now + 20'000'000);
    // Across the wrap of the 32-bit tick.
    CHECK(ns_of_tick(0xfffffff0U, 0x10U, unix_now) == unix_now - 32'000'000);
    // With its own tick as the reference, the two-argument form at millisecond resolution.
    const std::int64_t ref = 1'700'000'000'123'456'789;
    CHECK(ns_of_tick(tick_of_ns(ref) - 7, ref) == ns_of_tick(tick_of_ns(ref) - 7, tick_of_ns(ref), 1'700'000'000'123'000'000));
}
