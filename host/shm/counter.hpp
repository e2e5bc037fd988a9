// A statistics counter in shared memory with exactly one writing process. The writer adds with a
// relaxed load and store (no locked read-modify-write on the data path); readers in other
// processes see a value that only grows. Relaxed is enough: readers want a recent value, not an
// ordering with other memory.
#pragma once

#include <atomic>
#include <cstdint>

namespace factory::shm {

struct counter {
    std::atomic<std::uint64_t> value{0};

    // Writer process only.
    void add(std::uint64_t n = 1) noexcept {
        value.store(value.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    void set(std::uint64_t n) noexcept { value.store(n, std::memory_order_relaxed); }
    // Any process.
    std::uint64_t get() const noexcept { return value.load(std::memory_order_relaxed); }
};

} // namespace factory::shm
