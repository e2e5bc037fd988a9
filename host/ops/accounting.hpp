// The run's accounting: every count the departments left in the segment, summed, and the two
// identities a clean run satisfies:
//   purchased = assembled + dead-lettered materials (+ materials lost in crashes)
//   shipped   = exported + dead-lettered products, for every exporter
// Read by the host at the end of a run (one line, and --summary-json) and by ops every second.
#pragma once

#include "shm/segment.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace factory::ops {

struct workshop_counts {
    std::uint64_t assembled = 0, failed = 0, quarantined = 0, hired = 0, inspections = 0, shipped = 0,
                  refused = 0, roster = 0, lost_workers = 0, lost_materials = 0, pushed = 0, restarts = 0,
                  peak_rss_kib = 0;
    std::uint64_t fired[shm::fire_reasons] = {};
    std::uint64_t latency_p50_ns = 0, latency_p99_ns = 0, latency_p999_ns = 0, latency_count = 0;
};

struct exporter_counts {
    std::string name;
    std::uint64_t exported = 0, dead_lettered = 0, retries = 0, batches = 0, flush_failures = 0, lost = 0;
};

struct accounting {
    std::uint64_t purchased = 0, rejected = 0, oversize = 0, waits = 0, max_line_backlog = 0;
    // assembled counts only materials whose workers lived to be fired: those that died with a
    // crashed workshop are in lost_materials instead (with any purchasing lost before a line).
    std::uint64_t assembled = 0, failed = 0, quarantined = 0, lost_materials = 0, lost_workers = 0;
    std::uint64_t lost_in_purchasing = 0, restarts = 0;
    std::uint64_t shipped = 0, refused = 0, received = 0;
    std::uint64_t in_lines = 0; // materials purchased but never taken off a line
    std::vector<workshop_counts> workshops;
    std::vector<exporter_counts> exporters;
    std::uint64_t latency_p50_ns = 0, latency_p99_ns = 0, latency_p999_ns = 0;
    std::uint64_t purchasing_rss_kib = 0, transport_rss_kib = 0;
    bool end_of_input = false, source_failed = false;

    static accounting read(shm::segment& seg, const std::vector<std::string>& exporter_names);

    std::uint64_t dead_materials() const noexcept { return rejected + failed + quarantined; }
    bool materials_balance() const noexcept {
        return purchased == assembled + dead_materials() + lost_materials;
    }
    bool products_balance() const noexcept;
    bool balanced() const noexcept { return materials_balance() && products_balance(); }

    // One line for people: "purchased 100 = assembled 98 + dead-lettered 2 | ..."
    std::string line() const;
    // The same counts as a JSON document (--summary-json).
    std::string json(double seconds, std::uint32_t workshops_count) const;
};

} // namespace factory::ops
