// The run's accounting: every count the departments left in the segment, summed, and the two
// identities every run satisfies (balanced):
//   purchased = assembled + dead-lettered materials + lost materials
//   shipped   = exported + dead-lettered products + lost products, for every exporter
// where lost is what crashes took and dead letters that could not be written (a full disk): a dead
// letter that is not on disk is not a dead letter. A clean run balances and lost nothing.
// Read by the host at the end of a run (one line, and --summary-json) and by ops every second.
#pragma once

#include "shm/hot_key_set.hpp"
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
    std::vector<shm::hot_key_value> hot_keys; // busiest pids of the last interval, highest first
};

struct exporter_counts {
    std::string name;
    std::uint64_t exported = 0, dead_lettered = 0, retries = 0, batches = 0, flush_failures = 0, lost = 0;
    std::uint64_t unwritten = 0; // of dead_lettered: not written
};

// How a run ended, beside its counts in --summary-json.
struct run_end {
    bool clean = false;
    std::string ended_by; // "end of input", "--duration", "SIGTERM", ...
    int exit_code = 0;
};

struct accounting {
    std::uint64_t purchased = 0, rejected = 0, oversize = 0, waits = 0, max_line_backlog = 0;
    // assembled counts only materials whose workers lived to be fired: those that died with a
    // crashed workshop are in lost_materials instead (with any purchasing lost before a line).
    std::uint64_t assembled = 0, failed = 0, quarantined = 0, lost_materials = 0, lost_workers = 0;
    std::uint64_t lost_in_purchasing = 0, restarts = 0;
    // Dead letters counted in rejected/failed/quarantined (materials) and refused (products) whose
    // line could not be written: lost, not dead-lettered.
    std::uint64_t unwritten_materials = 0, unwritten_refused = 0;
    std::uint64_t shipped = 0, refused = 0, received = 0;
    std::uint64_t in_lines = 0; // materials purchased but never taken off a line
    std::vector<workshop_counts> workshops;
    std::vector<exporter_counts> exporters;
    std::uint64_t latency_p50_ns = 0, latency_p99_ns = 0, latency_p999_ns = 0;
    std::uint64_t purchasing_rss_kib = 0, transport_rss_kib = 0;
    bool end_of_input = false, source_failed = false;
    // Checkpoints (--checkpoint); set by the host, which alone knows the run's incarnations. The
    // counts above are the job's: a run that resumes starts from its checkpoint's counts.
    struct checkpoint_facts {
        bool on = false;
        bool resumed = false;
        std::uint64_t resumed_from = 0; // the epoch the run started from
        std::uint64_t taken = 0;        // checkpoints completed in this run
        std::uint64_t last = 0;         // the newest complete one at the end
        std::uint64_t rollbacks = 0;    // crashes that rolled the factory back
        std::uint64_t replayed = 0;     // materials purchased again after those rollbacks
        std::uint64_t kept_workers = 0; // workers a savepoint kept for the next run
        std::uint64_t longest_ns = 0;   // the longest checkpoint: asked for to complete
        std::uint64_t last_bytes = 0;   // the size of the newest one
        std::uint64_t restore_ns = 0;   // the slowest workshop's restore as the run began
    } checkpoints;

    static accounting read(shm::segment& seg, const std::vector<std::string>& exporter_names);

    // Materials that reached the dead-letter output.
    std::uint64_t dead_materials() const noexcept { return rejected + failed + quarantined - unwritten_materials; }
    bool materials_balance() const noexcept {
        return purchased == assembled + dead_materials() + unwritten_materials + lost_materials;
    }
    bool products_balance() const noexcept;
    bool balanced() const noexcept { return materials_balance() && products_balance(); }
    // Anything lost: in a crash, or a dead letter that could not be written.
    bool lost_anything() const noexcept;
    // Dead letters written, materials and products; and every dead letter by reason, as "3 refused
    // by the blueprint, 1 quarantined after a crash" (empty when there are none).
    std::uint64_t dead_letters() const noexcept;
    // Every dead letter the run made, written or not: what --max-dead-letters counts.
    std::uint64_t dead_letters_made() const noexcept;
    std::string dead_letter_reasons() const;

    // One line for people: "purchased 100 = assembled 98 + dead-lettered 2 | ..."
    std::string line() const;
    // The same counts as a JSON document (--summary-json).
    std::string json(double seconds, std::uint32_t workshops_count, const run_end& end) const;
};

} // namespace factory::ops
