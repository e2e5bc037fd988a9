// Clocks of the host. Two kinds of time flow through a run:
//  - monotonic time (mono_ns): intervals, timeouts, purchase-to-assembly latency; the same clock in
//    every process of the machine, so a stamp taken by purchasing is comparable in a workshop;
//  - Unix time (unix_ns): material event time when the source has none, product time stamps.
// Both are vDSO calls on Linux (no system call): cheap, but read once per batch, not per record.
#pragma once

#include <cstdint>
#include <ctime>

namespace factory {

inline std::int64_t mono_ns() noexcept {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

inline std::int64_t unix_ns() noexcept {
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

} // namespace factory
