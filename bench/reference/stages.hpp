// The reference's stages, each the least code that does the factory's work for a batch of
// materials: make them (as the synthetic source and the buyer do), route them (as the buyer
// does), count them per pid (as the director, the roster and a count-per-pid blueprint do), or
// only read them (the ring copy), and measure the wait of each material from purchase to
// consumption.
#pragma once

#include "copy_ring.hpp"
#include "tally_map.hpp"
#include "wire_record.hpp"

#include "common/clock.hpp"
#include "common/hash.hpp"
#include "common/histogram.hpp"

#include <cstddef>
#include <cstdint>

namespace factory::bench {

// Materials per batch: the factory's fill and drain batch.
inline constexpr std::size_t batch_size = 256;
// How far ahead the slot of a coming material is prefetched (the roster's own advice).
inline constexpr std::size_t prefetch_distance = 8;

// Counts pids[0..n) (n <= batch_size), prefetching the slot of the material
// prefetch_distance ahead.
inline void tally_batch(tally_map& map, const std::uint64_t* pids, std::size_t n) noexcept {
    std::uint64_t mixed[batch_size];
    for (std::size_t i = 0; i < n; ++i) mixed[i] = mix(pids[i]);
    for (std::size_t i = 0; i < n && i < prefetch_distance; ++i) map.prefetch(mixed[i]);
    for (std::size_t i = 0; i < n; ++i) {
        if (i + prefetch_distance < n) map.prefetch(mixed[i + prefetch_distance]);
        map.count(pids[i], mixed[i]);
    }
}

// A consumer's running totals; `checksum` keeps the compiler from skipping the reads.
struct consumer_totals {
    std::uint64_t records = 0;
    std::uint64_t checksum = 0;
    std::uint64_t keys = 0;
};

// The waits of one batch's materials, from their purchase stamp to the batch's start, as the
// factory's workshops measure purchase-to-assembly latency: the materials of one producer batch
// share a stamp, so each run of equal stamps is counted at once.
class wait_counter {
public:
    wait_counter(latency_histogram& h, std::int64_t batch_ns) noexcept : h_(h), batch_ns_(batch_ns) {}
    ~wait_counter() { flush(); }
    wait_counter(const wait_counter&) = delete;
    wait_counter& operator=(const wait_counter&) = delete;

    void add(std::int64_t purchased_ns) noexcept {
        if (purchased_ns != stamp_) {
            flush();
            stamp_ = purchased_ns;
        }
        ++run_;
    }

private:
    void flush() noexcept {
        if (run_ != 0 && batch_ns_ > stamp_) {
            auto& c = h_.counts[latency_histogram::index_of(static_cast<std::uint64_t>(batch_ns_ - stamp_))];
            c.store(c.load(std::memory_order_relaxed) + run_, std::memory_order_relaxed);
        }
        run_ = 0;
    }

    latency_histogram& h_;
    std::int64_t batch_ns_;
    std::int64_t stamp_ = 0;
    std::uint64_t run_ = 0;
};

// Reads the ring until it is closed and drained; with a map, counts every material per pid. Each
// material's wait from its stamp to the start of the batch that reads it goes into `waits`.
inline consumer_totals drain(copy_ring& ring, tally_map* map, latency_histogram& waits) noexcept {
    consumer_totals t;
    std::uint64_t pids[batch_size];
    for (;;) {
        std::uint64_t n = ring.wait_readable();
        if (n == 0) break;
        if (n > batch_size) n = batch_size;
        wait_counter batch_waits(waits, mono_ns());
        for (std::uint64_t i = 0; i < n; ++i) {
            const wire_record& r = ring.read(i);
            pids[i] = r.material.pid;
            t.checksum += r.flow.bytes;
            batch_waits.add(r.material.purchased_ns);
        }
        if (map != nullptr) tally_batch(*map, pids, n);
        else
            for (std::uint64_t i = 0; i < n; ++i) t.checksum ^= pids[i];
        ring.release(n);
        t.records += n;
    }
    t.keys = map != nullptr ? map->size() : 0;
    return t;
}

} // namespace factory::bench
