// Time inside a workshop's roster: 32-bit millisecond ticks that wrap.
//
// A tick is floor(time_ns / 1 ms) mod 2^32. The same tick works for wall time and for capture
// (event) time, because nothing inside the roster depends on the epoch: ticks are only ever
// compared with each other, with wrap-around arithmetic. Two ticks compare correctly as long as
// they are less than 2^31 ticks (about 24.8 days) apart, so:
//   - every duration (contract, inspection interval, maximum age) must be below 2^31 ticks;
//   - a clock must not be advanced by 2^31 ticks or more in one step (split longer gaps);
//   - a worker's age is taken modulo 2^32 ticks (49.7 days): one that lives longer without a
//     maximum age sees its inspection phase shift once per wrap.
// Everything here is constexpr and allocation-free; any thread may use it.
#pragma once

#include <cstdint>

namespace factory {

using tick = std::uint32_t;

inline constexpr std::int64_t ns_per_tick = 1'000'000;

// The longest duration a tick comparison can represent: 2^31 - 1 ticks.
inline constexpr tick max_duration = 0x7fffffffU;
inline constexpr std::int64_t max_duration_ns = static_cast<std::int64_t>(max_duration) * ns_per_tick;

// a is strictly before b (valid when |a - b| < 2^31).
constexpr bool tick_before(tick a, tick b) noexcept {
    return static_cast<std::int32_t>(a - b) < 0;
}
constexpr bool tick_after(tick a, tick b) noexcept { return tick_before(b, a); }
constexpr bool tick_not_before(tick a, tick b) noexcept { return !tick_before(a, b); }
constexpr bool tick_not_after(tick a, tick b) noexcept { return !tick_before(b, a); }

// The later / earlier of two ticks, in wrap-around order.
constexpr tick tick_latest(tick a, tick b) noexcept { return tick_before(a, b) ? b : a; }
constexpr tick tick_earliest(tick a, tick b) noexcept { return tick_before(a, b) ? a : b; }

// floor(ns / 1 ms) mod 2^32; negative times (before the epoch) floor too, so ticks stay uniform.
constexpr tick tick_of_ns(std::int64_t ns) noexcept {
    std::int64_t ms = ns / ns_per_tick;
    if (ns % ns_per_tick < 0) {
        --ms;
    }
    return static_cast<tick>(static_cast<std::uint64_t>(ms));
}

// A duration in ticks: rounded up, at least 1 (so a 0 or sub-millisecond contract still means
// "the next tick"), and at most max_duration. Callers that give 0 a meaning of its own ("no
// inspector") test for it before converting; settings above max_duration_ns should be refused
// at start rather than silently capped here.
constexpr tick ticks_of_duration_ns(std::int64_t ns) noexcept {
    if (ns <= ns_per_tick) {
        return 1;
    }
    if (ns >= max_duration_ns) {
        return max_duration;
    }
    return static_cast<tick>((ns + ns_per_tick - 1) / ns_per_tick);
}

// Unix ns of tick t, given that tick `reference` stands for Unix time `reference_ns`: how a tick
// stored in the roster is shown to a blueprint (factory_worker's hired_ns / last_seen_ns), with
// the workshop's current tick and time as the reference. The two need not come from one clock (on
// the wall clock, ticks are monotonic time and the blueprint sees Unix time). Exact when t is
// within 2^31 ticks of `reference`.
constexpr std::int64_t ns_of_tick(tick t, tick reference, std::int64_t reference_ns) noexcept {
    return reference_ns + static_cast<std::int64_t>(static_cast<std::int32_t>(t - reference)) * ns_per_tick;
}

// The same with the tick of `reference_ns` itself as the reference: t unwrapped to the occurrence
// nearest `reference_ns`, at millisecond resolution.
constexpr std::int64_t ns_of_tick(tick t, std::int64_t reference_ns) noexcept {
    const std::int64_t reference_ms_ns = (reference_ns / ns_per_tick -
                                          (reference_ns % ns_per_tick < 0 ? 1 : 0)) * ns_per_tick;
    return ns_of_tick(t, tick_of_ns(reference_ns), reference_ms_ns);
}

} // namespace factory
