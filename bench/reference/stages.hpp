// The reference's stages, each the least code that does the factory's work for a batch of
// materials: make them (as the synthetic source and the buyer do), route them (as the buyer
// does), count them per pid (as the director, the roster and a count-per-pid blueprint do), or
// only read them (the ring copy).
#pragma once

#include "copy_ring.hpp"
#include "tally_map.hpp"
#include "wire_record.hpp"

#include "common/hash.hpp"

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

// Reads the ring until it is closed and drained; with a map, counts every material per pid.
inline consumer_totals drain(copy_ring& ring, tally_map* map) noexcept {
    consumer_totals t;
    std::uint64_t pids[batch_size];
    for (;;) {
        std::uint64_t n = ring.wait_readable();
        if (n == 0) break;
        if (n > batch_size) n = batch_size;
        for (std::uint64_t i = 0; i < n; ++i) {
            const wire_record& r = ring.read(i);
            pids[i] = r.material.pid;
            t.checksum += r.flow.bytes;
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
