// A workshop's busiest pids of the last interval as its block holds them (workshop_stats::hot):
// written by the workshop once a second, read by the host (ops, /api/status, --summary-json),
// under a sequence lock so a reader never takes half of one set and half of the next.
#pragma once

#include "shm/stats.hpp"

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace factory::shm {

struct hot_key_value {
    std::uint64_t pid = 0;
    std::uint64_t materials = 0; // estimated
};

// The workshop: replaces the set with the first min(n, hot_key_slots) of `keys`, highest first.
inline void write_hot_keys(workshop_stats& w, const hot_key_value* keys, std::size_t n) noexcept {
    n = std::min<std::size_t>(n, hot_key_slots);
    const std::uint64_t v = w.hot_version.load(std::memory_order_relaxed);
    w.hot_version.store(v + 1, std::memory_order_relaxed); // odd: being written
    std::atomic_thread_fence(std::memory_order_release);
    for (std::size_t i = 0; i < hot_key_slots; ++i) {
        w.hot[i].pid.set(i < n ? keys[i].pid : 0);
        w.hot[i].materials.set(i < n ? keys[i].materials : 0);
    }
    w.hot_count.set(n);
    w.hot_version.store(v + 2, std::memory_order_release);
}

// Any process: the last whole set into `out` (hot_key_slots entries of room); returns how many.
// Gives up (0) if the set keeps changing under it, which a once-a-second writer never does.
inline std::size_t read_hot_keys(const workshop_stats& w, hot_key_value* out) noexcept {
    for (int attempt = 0; attempt < 8; ++attempt) {
        const std::uint64_t before = w.hot_version.load(std::memory_order_acquire);
        if ((before & 1) != 0) continue;
        const std::size_t n = std::min<std::uint64_t>(w.hot_count.get(), hot_key_slots);
        for (std::size_t i = 0; i < n; ++i) out[i] = {w.hot[i].pid.get(), w.hot[i].materials.get()};
        std::atomic_thread_fence(std::memory_order_acquire);
        if (w.hot_version.load(std::memory_order_relaxed) == before) return n;
    }
    return 0;
}

} // namespace factory::shm
