// The host's part of checkpoints: it asks for one every --checkpoint-every, completes each one
// transportation reports committed by writing its manifest (checkpoint::store::publish: the
// checkpoint exists from then on), and completes the final one as the run ends. It also starts a
// new job with epoch 0 (the input's start), and keeps what a crash must not forget: the material a
// workshop died on (quarantine).
#pragma once

#include "checkpoint/manifest.hpp"
#include "checkpoint/store.hpp"
#include "common/dead_letter.hpp"
#include "common/run_config.hpp"
#include "shm/segment.hpp"

#include <cstdint>
#include <string>

namespace factory::runtime {

class checkpoint_keeper {
public:
    // `job`: the manifest fields every checkpoint of this run shares (source, blueprint,
    // exporters, workshops).
    checkpoint_keeper(shm::segment& seg, const run_config& cfg, checkpoint::store& store, checkpoint::manifest job);

    // As the run starts (every process ready): a new job's epoch 0.
    void started();
    // The period: asks purchasing for the next checkpoint unless one is still on its way.
    void request();
    // Often: completes a committed checkpoint, reports a failed one. True while one is in flight.
    bool poll();
    // After every process ended in order: completes the final checkpoint if it was committed.
    void finished();
    // A workshop died: the material it died on, if any, is dead-lettered (by `dead`) and remembered
    // so no replay hands it to the blueprint again. Returns whether there was one.
    bool quarantine(std::uint32_t workshop, const std::string& why, dead_letter_writer& dead);

    std::uint64_t taken() const noexcept { return taken_; }
    std::uint64_t last() const noexcept { return last_; }
    std::uint64_t kept_workers() const noexcept { return kept_workers_; }
    std::uint64_t longest_ns() const noexcept { return longest_ns_; }
    std::uint64_t last_bytes() const noexcept { return last_bytes_; }
    std::uint64_t failed() const noexcept { return failed_; }
    std::uint64_t last_ns() const noexcept { return last_ns_; }                // duration of the newest
    std::int64_t last_unix_ns() const noexcept { return last_unix_ns_; }       // when it completed

private:
    bool complete(std::uint64_t epoch, bool final_one);
    bool snapshots_written(std::uint64_t epoch); // by every workshop

    shm::segment& seg_;
    const run_config& cfg_;
    checkpoint::store& store_;
    checkpoint::manifest job_;
    std::uint64_t in_flight_ = 0, taken_ = 0, last_ = 0, kept_workers_ = 0;
    std::uint64_t asked_done_ = 0; // the latest checkpoint_asked completed or given up
    // Completes the epoch purchasing took on its own, if it was committed; true while it is on its way.
    bool poll_asked();
    bool snapshot_failed(std::uint64_t epoch); // by any workshop (then said in the header, as failures are)
    std::uint64_t longest_ns_ = 0, last_bytes_ = 0, failed_ = 0, last_ns_ = 0;
    std::int64_t last_unix_ns_ = 0;
    std::int64_t asked_ns_ = 0;
};

} // namespace factory::runtime
