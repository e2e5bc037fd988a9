// A fixed-size log-linear histogram of nanosecond values (8 sub-buckets per power of two, so a
// quantile is known to within 12.5%), living in shared memory: one writer (a workshop) bumps
// buckets with relaxed stores; any process reads it for percentiles. No allocation.
#pragma once

#include <atomic>
#include <bit>
#include <cstdint>

namespace factory {

struct latency_histogram {
    static constexpr unsigned sub_bits = 3;
    static constexpr unsigned subs = 1u << sub_bits;
    static constexpr unsigned buckets = (64 - sub_bits + 1) * subs;

    std::atomic<std::uint64_t> counts[buckets];

    static constexpr unsigned index_of(std::uint64_t v) noexcept {
        if (v < subs) return static_cast<unsigned>(v);
        unsigned e = 63u - static_cast<unsigned>(std::countl_zero(v)); // e >= sub_bits
        unsigned sub = static_cast<unsigned>(v >> (e - sub_bits)) & (subs - 1);
        return (e - sub_bits + 1) * subs + sub;
    }
    // The largest value that falls in bucket i.
    static constexpr std::uint64_t upper_of(unsigned i) noexcept {
        if (i < subs) return i;
        unsigned e = i / subs + sub_bits - 1;
        std::uint64_t base = std::uint64_t{1} << e;
        std::uint64_t step = base >> sub_bits;
        return base + (i % subs + 1) * step - 1;
    }

    // Writer side only: `n` values of `v`.
    void record(std::uint64_t v, std::uint64_t n = 1) noexcept {
        auto& c = counts[index_of(v)];
        c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
};

// A reader's snapshot, summed over any number of histograms.
struct latency_summary {
    std::uint64_t counts[latency_histogram::buckets] = {};
    std::uint64_t total = 0;

    void add(const latency_histogram& h) noexcept {
        for (unsigned i = 0; i < latency_histogram::buckets; ++i) {
            std::uint64_t n = h.counts[i].load(std::memory_order_relaxed);
            counts[i] += n;
            total += n;
        }
    }
    // Upper bound of the bucket holding quantile q (0..1); 0 when empty.
    std::uint64_t quantile(double q) const noexcept {
        if (total == 0) return 0;
        auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total - 1)) + 1;
        std::uint64_t seen = 0;
        for (unsigned i = 0; i < latency_histogram::buckets; ++i) {
            seen += counts[i];
            if (seen >= rank) return latency_histogram::upper_of(i);
        }
        return latency_histogram::upper_of(latency_histogram::buckets - 1);
    }
};

} // namespace factory
