// A workshop's busiest pids over the last interval: a space-saving summary (Metwally, Agrawal and
// El Abbadi, 2005) of a fixed number of counters. Fixed memory, nothing allocated: only one
// material in `sample_every` of the line is sampled, in a strided pass over each batch, so the
// others cost nothing.
//
// A sampled pid not in a full summary replaces the first of the least counted entries. With many
// more pids than slots nearly every sample does, so a sample must not cost a scan of every pid and
// every count (measured with 5000 uniform keys: those two scans made hot keys about 5% of a run's
// CPU). A pid whose bucket holds no entry's pid is known absent without the scan of the pids, and
// the least count and where to look for it next are kept instead of found anew.
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
    std::size_t least_counted() noexcept;
    static std::size_t bucket(std::uint64_t pid) noexcept {
        return static_cast<std::size_t>((pid * 0x9e3779b97f4a7c15ULL) >> 56);
    }

    // The entries, as arrays so that the scan for a pid reads only pids.
    std::array<std::uint64_t, slots> pids_{};
    std::array<std::uint64_t, slots> counts_{};
    std::array<std::uint64_t, slots> errors_{};
    std::size_t used_ = 0;
    // How many entries' pids fall in each of 256 buckets of pids: a pid whose bucket is empty is not
    // in the summary, which is what nearly every sample finds when pids far outnumber slots, and
    // then the scan of the pids is skipped.
    std::array<std::uint8_t, 256> in_bucket_{};
    // No count is below least_, and every entry before least_from_ counts more than least_: the first
    // entry counting least_ at or after least_from_ is the first least counted one, if there is one.
    std::uint64_t least_ = 1;
    std::size_t least_from_ = 0;
    std::uint64_t samples_ = 0;
    std::size_t skip_ = 0; // materials of the next batch to pass before the next sample
};

// Writes the summary's top entries to the workshop's block (counts scaled to materials) as one
// set for readers in other processes (shm/hot_key_set.hpp), then resets the summary.
void publish_hot_keys(hot_keys& summary, shm::workshop_stats& stats) noexcept;

} // namespace factory::workshop
