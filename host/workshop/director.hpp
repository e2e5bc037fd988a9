// The director: a workshop's loop. It takes materials off the production line in batches, hands
// each to its key's worker (hiring one on first sight), renews contracts, lets the inspector and
// the contracts fire workers on time, and ships products onto the transportation lane. One thread;
// the process's Asio io_context carries its once-a-second monitor.
//
// Time: on the wall clock, contracts run on the monotonic clock (read once per batch) and products
// carry Unix time; on the material clock, time is the latest material time seen on this line or
// purchased anywhere (the watermark), so results do not depend on how fast input is read.
#pragma once

#include "common/dead_letter.hpp"
#include "common/run_config.hpp"
#include "shm/backoff.hpp"
#include "shm/segment.hpp"
#include "workshop/blueprint_instance.hpp"
#include "workshop/hot_keys.hpp"
#include "workshop/line_cursor.hpp"
#include "workshop/shipper.hpp"
#include "workshop/snapshot_thread.hpp"
#include "workshop/ticks.hpp"
#include "workshop/workforce.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <memory>

namespace factory::workshop {

class director {
public:
    director(shm::segment& seg, std::uint32_t index, const run_config& cfg, blueprint_instance& bp,
             shipper& ship, dead_letter_writer& dead, std::int64_t& now_ns);

    // Runs until the line is finished (then fires every worker: shutdown) or the run aborts.
    // Returns the process exit code.
    int run();
    // A restarted workshop: continue the line where the last process stopped, quarantining the
    // material it died on (`last_death` says how it died).
    void resume(const char* last_death);
    // A run resuming from a checkpoint: hires the checkpoint's workers that route to this workshop,
    // whichever workshop held them (director_checkpoint.cpp). Throws std::runtime_error.
    void restore();

    // Workforce hooks.
    void fire(worker_slot& slot, void* state, std::uint32_t reason, tick now);
    bool inspect(worker_slot& slot, void* state, tick now);

private:
    struct hooks {
        director* d;
        void fire(worker_slot& s, void* state, std::uint32_t reason, tick now) { d->fire(s, state, reason, now); }
        bool inspect(worker_slot& s, void* state, tick now) { return d->inspect(s, state, now); }
    };

    std::size_t step();
    // A checkpoint barrier at the head of the line (director_checkpoint.cpp): snapshot the
    // workers (after firing them, for a final barrier of a run that fires), pass it on to the lane.
    void pass_barrier(const factory_material& barrier);
    bool write_snapshot(std::uint64_t epoch);
    bool copy_snapshot(std::uint64_t epoch); // a periodic one: copied here, written by snapshots_
    // A control frame (shm/checkpoint_frame.hpp): hire the worker it carries, or drop pid's.
    void take_control(const factory_material& frame);
    void end_time();
    void assemble(const factory_material& m, std::uint64_t mixed);
    void set_time(std::int64_t unix_now, tick t);
    factory_worker view(worker_slot& slot, void* state) const noexcept;
    void monitor();
    bool aborting() const noexcept;

    shm::segment& seg_;
    std::uint32_t index_;
    const run_config& cfg_;
    blueprint_instance& bp_;
    shipper& ship_;
    dead_letter_writer& dead_;
    shm::workshop_stats& stats_;
    shm::line_stats& line_info_;
    shm::process_block& me_;
    shm::consumer line_;
    line_cursor cursor_; // where a restarted process continues (line_cursor.hpp)
    // Spins and yields briefly before sleeping: on 2 cores the two workshops and purchasing are
    // three busy processes, and a workshop that spins or yields long between batches takes the
    // core purchasing needs (measured: p50 purchase-to-assembly 650 us with 128 spins and 32
    // yields against 20 us with 16 and 4 at 13 M materials/s, 2 workshops; full speed unchanged).
    shm::backoff backoff_{16, 4};
    hooks hooks_;
    workforce<hooks> staff_;
    std::int64_t& now_ns_; // Unix ns shown to the blueprint; shared with the shipper and host_now_ns
    tick now_tick_ = 0;
    bool clock_started_ = false; // material clock: set by the first material or watermark
    factory_error err_{};
    boost::asio::io_context io_;
    boost::asio::steady_timer monitor_timer_;
    hot_keys hot_; // the busiest pids since the last monitor tick
    bool keep_workers_ = false; // a savepoint kept them: the run ends without firing
    snapshot_thread snapshots_{stats_};
};

} // namespace factory::workshop
