// Where a run with --checkpoint starts: the newest usable checkpoint in the folder (resume), or the
// input's start (a new job); and the job's counts as that checkpoint kept them, put back into the
// new segment so the books of the whole job balance.
#pragma once

#include "checkpoint/manifest.hpp"
#include "checkpoint/store.hpp"
#include "common/run_config.hpp"
#include "shm/segment.hpp"

#include <cstdint>

namespace factory::runtime {

// What every checkpoint of this run shares (source, blueprint, exporters, workshops), and the
// older state layout the blueprint upgrades from (0: none): read from the plugins once per run.
struct job_identity {
    checkpoint::manifest fields;
    std::uint64_t previous_layout = 0;
};
job_identity identify_job(const run_config& cfg);

// Chooses the checkpoint to resume from and sets cfg.resuming, resume_epoch, resume_workshops
// and skip_seqs. Throws std::runtime_error, with what to do, when the folder's checkpoints cannot
// be used by this run: the job finished, another source or settings, a blueprint whose state does
// not fit, checkpoints that exist but none complete and intact. Logs each newer checkpoint it
// passed over, and why.
void plan_resume(const checkpoint::store& store, const job_identity& job, run_config& cfg);

// Puts the counts of checkpoint cfg.resume_epoch into `seg` (a rescale adds those of workshops
// that no longer exist to workshop 1's). Returns the materials purchased before it.
std::uint64_t restore_counters(shm::segment& seg, const run_config& cfg);

} // namespace factory::runtime
