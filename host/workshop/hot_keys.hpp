// A workshop's busiest pids over the last interval: a space-saving summary (Metwally, Agrawal and
// El Abbadi, 2005) of a fixed number of counters. Fixed memory, nothing allocated: each sampled
// material costs a scan of `slots` pids, and only one material in `sample_every` of the line is
// sampled, in a strided pass over each batch, so the others cost nothing.
//
// Space-saving's guarantee, on the samples: every pid sampled more than samples/slots times is in
// the summary, and for each entry, count - error <= its true samples <= count. With skew, the
// heaviest pids come first. The monitor publishes the top entries to the segment once a second
// (publish_hot_keys) and starts the summary over, so it tells the last interval, not the run.
//
// One thread: the workshop's.
#pragma once

#include "shm/hot_key_set.hpp"

#include <factory/abi.h>

#include <array>
#include <cstddef>
#include <cstdint>

namespace factory::workshop {

struct hot_key {
    std::uint64_t pid = 0;
    std::uint64_t count = 0; // samples, an overestimate by at most `error`
    std::uint64_t error = 0;
};

class hot_keys {
public:
    static constexpr std::size_t slots = 32;
    static constexpr std::uint64_t sample_every = 16; // a power of two

    // Every material; samples one in sample_every by its purchase serial.
    void offer(std::uint64_t seq, std::uint64_t pid) noexcept {
        if ((seq & (sample_every - 1)) == 0) count(pid);
    }
    // A batch of a line's materials, in line order: samples every sample_every-th material of the
    // line, counting across batches, with a stride instead of a test per material.
    void sample(const factory_material* const* batch, std::size_t n) noexcept {
        std::size_t i = skip_;
        for (; i < n; i += sample_every) count(batch[i]->pid);
        skip_ = i - n;
    }
    // One sample of `pid`.
    void count(std::uint64_t pid) noexcept;

    // The entries by count, highest first, at most `n` of them into `out`; returns how many.
    std::size_t top(hot_key* out, std::size_t n) const noexcept;
    std::uint64_t samples() const noexcept { return samples_; }
    void reset() noexcept;

private:
    std::array<hot_key, slots> entries_{};
    std::size_t used_ = 0;
    std::uint64_t samples_ = 0;
    std::size_t skip_ = 0; // materials of the next batch to pass before the next sample
};

// Writes the summary's top entries to the workshop's block (counts scaled to materials) as one
// set for readers in other processes (shm/hot_key_set.hpp), then resets the summary.
void publish_hot_keys(hot_keys& summary, shm::workshop_stats& stats) noexcept;

} // namespace factory::workshop
