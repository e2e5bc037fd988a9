// The statistics blocks in the run's shared segment: one per department, each written by exactly
// one process and read by the host (ops reports, accounting, --summary-json). Each block starts
// on its own cache line so writers never share one.
#pragma once

#include "common/histogram.hpp"
#include "shm/counter.hpp"

#include <atomic>
#include <cstdint>

namespace factory::shm {

inline constexpr unsigned max_exporters = 16;
inline constexpr unsigned fire_reasons = 6; // index = FACTORY_FIRED_* (0 unused)

// What a child process is doing, for the host's start-up barrier and supervision.
enum class child_state : std::uint32_t {
    empty = 0,    // not started
    starting = 1, // spawned, loading its plugin(s)
    ready = 2,    // plugins open, waiting for the run to begin
    failed = 3,   // could not start; `message` says why
    running = 4,
    done = 5      // finished cleanly
};

struct alignas(64) process_block {
    std::atomic<std::uint32_t> state{0}; // child_state
    std::atomic<std::int32_t> pid{0};
    std::atomic<std::uint32_t> restarts{0};
    counter heartbeat;                        // bumps while the process makes progress
    counter peak_rss_kib;                     // written at exit
    char message[512] = {};                   // failure text, written before state = failed
    // Written by the host before it restarts the process: why the last one ended, for the
    // quarantine reason; and whether the new one is to drain its line only (given up).
    char last_death[256] = {};
    std::atomic<std::uint32_t> given_up{0};
};

struct alignas(64) purchasing_stats {
    counter purchased;     // records taken from the source, good or bad
    counter rejected;      // dead-lettered by purchasing (bad record, too large)
    counter oversize;      // of rejected: larger than --max-material
    counter lost;          // purchased but never put on a line: purchasing died (written by the host)
    counter waits;         // times a full line made purchasing wait
    counter wait_ns;       // time spent in those waits (backpressure), ns
    counter max_backlog;   // the most materials seen on one line when it was full (gauge)
    counter unwritten;     // of rejected: dead letters that could not be written (lost)
    counter skipped;       // materials a workshop died on earlier in the job, not put on a line again
                           // on a replay (checkpoints): counted as quarantined, their letters
                           // already written
    std::atomic<std::uint32_t> end_of_input{0};
    std::atomic<std::uint32_t> source_failed{0};
};

// Per production line (written by purchasing).
struct alignas(64) line_stats {
    counter pushed;                         // materials put on this line
    std::atomic<std::int64_t> watermark_ns{0}; // material clock: the latest event time purchased
};

// One of a workshop's busiest pids in the last interval (workshop/hot_keys.hpp).
struct hot_key_stat {
    counter pid;
    counter materials; // estimated, from samples
};
inline constexpr unsigned hot_key_slots = 8;

struct alignas(64) workshop_stats {
    counter assembled;        // materials the blueprint took (OK or DONE)
    counter failed;           // materials the blueprint refused (dead-lettered)
    counter quarantined;      // materials a workshop died on (dead-lettered)
    counter hired;
    counter fired[fire_reasons];
    counter inspections;
    counter shipped;          // products accepted onto the transportation lane
    counter refused;          // products refused at shipping (unknown pclass, wrong size)
    counter unwritten_materials; // of failed + quarantined: dead letters that could not be written
    counter unwritten_products;  // of refused: dead letters that could not be written
    counter roster;           // live workers, kept exact at every hire and fire (gauge)
    counter handed_over;      // materials of fired workers whose products are on the lane (or
                              // who shipped none): no longer at risk. What a crash would lose is
                              // assembled - handed_over - lost_materials: derived, so no count
                              // lags another.
    counter lost_workers;     // workers that died with a crashed workshop process (by the host)
    counter lost_materials;   // materials those workers held (by the host)
    counter barriers;         // checkpoint barriers passed: line records that are not materials
    counter restore_ns;       // how long restoring this workshop's workers from a checkpoint took
    counter restored;         // workers the source handed over (control frames), hired as they were
    counter restore_refused;  // of those, not hired: the pid had a worker, or the state size differed
    counter released;         // workers dropped without on_fire: their partition went to another run
    counter settled_base;     // assembled + failed + quarantined restored from a checkpoint: counted
                              // before this segment's line began (line_cursor subtracts it)
    // The latest epoch whose snapshot this workshop made durable, and the latest it could not
    // (workshop/snapshot_thread.hpp): the host completes a checkpoint once every workshop wrote it.
    std::atomic<std::uint64_t> snapshot_written{0};
    std::atomic<std::uint64_t> snapshot_failed{0};
    // Where a restarted workshop continues on its line: written and read only through
    // workshop::line_cursor (workshop/line_cursor.hpp), which owns its encoding and rules.
    std::atomic<std::uint64_t> cursor{0};
    // A lane publish in progress (lane_publish.hpp): `shipped` and `handed_over` become
    // pending_shipped and pending_handed_over once the lane's tail reaches pending_tail; 0 when none
    // is in progress.
    std::atomic<std::uint64_t> pending_tail{0};
    counter pending_shipped;
    counter pending_handed_over;
    latency_histogram latency; // purchase to assembly, ns
    // The busiest pids of the last interval, highest first: hot_count entries, written under the
    // sequence lock hot_version (odd while writing); see workshop/hot_keys.hpp.
    std::atomic<std::uint64_t> hot_version{0};
    counter hot_count;
    hot_key_stat hot[hot_key_slots];
};

struct alignas(64) exporter_stats {
    counter exported;      // products the exporter took
    counter dead_lettered; // products it refused or never took after its retries
    counter unwritten;     // of dead_lettered: dead letters that could not be written (lost)
    counter retries;
    counter batches;
    counter flush_failures;
    counter lost;          // taken off a lane by a transportation process that died (by the host;
                           // its successor moves to `exported` what the exporter proves it kept:
                           // take_back_durable in transportation/exporter_instance.hpp)
};

struct alignas(64) transport_stats {
    counter received;         // products taken off the lanes
    counter warehouse;        // products waiting in the warehouse (gauge)
    counter deliveries;       // driver rounds
    exporter_stats exporters[max_exporters];
};

} // namespace factory::shm
