// Purchasing's part of a checkpoint (checkpoint/barrier.hpp in docs/design.md): between two fills,
// when the host asks for epoch k, it asks the source where its input stands, writes that position
// and its counters to DIR/epoch-k/purchasing.snap, and only then puts barrier k in every line; so
// every material before the barrier is before the position, and every one after it is after.
// At start it seeks the source to the checkpoint the run resumes from (or, for a new job, writes
// epoch 0: the input's start), and tells the buyer which materials to skip on a replay.
#pragma once

#include "common/run_config.hpp"
#include "purchasing/buyer.hpp"
#include "purchasing/source_instance.hpp"
#include "shm/segment.hpp"

#include <cstdint>
#include <deque>
#include <string>
#include <utility>

namespace factory::purchasing {

class checkpointer {
public:
    checkpointer(shm::segment& seg, const run_config& cfg, source_instance& source, buyer& buy);

    // Before the run starts: seeks the source (resuming) or writes epoch 0 (a new job). Throws
    // std::runtime_error with a message for the user (the source cannot resume, the position does
    // not fit the input, the checkpoint folder cannot be written).
    void prepare();
    // Between fills: takes the checkpoint the host asked for, if any. Cheap when none is wanted.
    // Also tells the source of a checkpoint completed since the last poll (on_checkpoint_done).
    void poll() {
        if (header_.checkpoint_wanted.load(std::memory_order_acquire) > last_) take_wanted();
        if (header_.checkpoint_complete.load(std::memory_order_acquire) > told_) tell_complete();
    }
    // host_checkpoint_now, from inside on_fill: takes a checkpoint of its own epoch and waits until
    // the host completed it (the source told, on_checkpoint_done) or it failed. False with `why`.
    bool take_now(std::string& why) { return take_and_wait(why, false); }
    // For a source that keeps its workers' state, just before the final barrier (the run is
    // stopping): a checkpoint the source is told of while it is still open, so its own storage and
    // commits reach the run's end (the final checkpoint completes only after on_close).
    void take_last();
    // As purchasing ends in order: the final barrier. With `end_of_input` the workers are fired
    // before their snapshot (the job is done); otherwise as --on-stop says.
    void finish(bool end_of_input);
    // After finish() and the lines' close, for a source that keeps its workers' state: waits (at
    // most 30 s) until the final checkpoint's products are exported and committed, so the source's
    // close may tell its storage that the fired workers are gone.
    void wait_final_exported();

private:
    void take_wanted();
    bool take_and_wait(std::string& why, bool stopping);
    // Writes the snapshot and puts the barrier in the lines; false (and the host told why) when the
    // snapshot could not be written: no barrier then.
    bool take(std::uint64_t epoch, std::uint16_t kind);
    void write_snapshot(std::uint64_t epoch);
    void tell_complete();

    shm::segment& seg_;
    shm::segment_header& header_;
    const run_config& cfg_;
    source_instance& source_;
    buyer& buy_;
    std::uint64_t last_ = 0; // the latest epoch this process put in the lines (or skipped)
    std::uint64_t final_ = 0; // the final epoch, once finish() put it in the lines
    std::uint64_t told_ = 0; // the latest completed epoch the source was told of (or that needs no telling)
    // The positions of the last few epochs taken, newest last: what on_checkpoint_done gives back.
    std::deque<std::pair<std::uint64_t, std::string>> positions_;
};

} // namespace factory::purchasing
