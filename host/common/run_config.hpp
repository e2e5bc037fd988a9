// The resolved settings of one run: what the host decided after checking every option and plugin,
// handed to every child process as JSON text in the shared segment. Children never re-read the
// command line or the TOML file, so all processes of a run agree on everything.
#pragma once

#include "common/material_layout.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace factory {

struct plugin_choice {
    std::string name;  // the plugin's descriptor name
    std::string file;  // absolute path of the .so
    std::vector<std::pair<std::string, std::string>> settings; // every declared key, checked
};

struct run_config {
    plugin_choice source;
    plugin_choice blueprint;
    std::vector<plugin_choice> exporters;
    // The blueprint's material_layout when the source fills records (FACTORY_MATERIAL_FILLS_RECORDS);
    // empty otherwise: the source then gets no layout and gives raw materials.
    material_layout materials;

    std::uint32_t workshops = 1;
    double rate = 0;
    std::int64_t contract_ns = 5'000'000'000;
    std::int64_t inspect_ns = 2'000'000'000;
    std::int64_t max_age_ns = 0;
    std::uint64_t max_workers = 0;
    std::uint64_t expect_workers = 0;
    bool material_clock = false;
    // Why this clock, for the start log line ("material (the source gives event time; ...)");
    // the host's own: not passed to the children.
    std::string clock_choice = "wall";
    std::int64_t flush_ns = 5'000'000'000;
    std::uint64_t max_material = 64u << 10;
    std::uint32_t export_retries = 5;
    std::int64_t retry_backoff_ns = 100'000'000;
    std::int64_t hang_timeout_ns = 0; // 0: no hang detection
    std::uint32_t max_restarts = 5;
    std::uint64_t max_dead_letters = UINT64_MAX; // past this many, the run stops (--max-dead-letters N)
    std::string dead_letter_dir = "factory-dead-letter";
    std::string log_level = "info";
    bool quiet = false;
    // The ops HTTP server (--http), checked by resolve(); the host's own, children never read it.
    std::string http;
    bool http_public = false;
    std::int64_t http_linger_ns = 0;

    // Checkpoints (--checkpoint): off when checkpoint_dir is empty. resume_epoch: the checkpoint
    // this incarnation of the run starts from (resuming); otherwise the job starts.
    std::string checkpoint_dir;
    std::int64_t checkpoint_every_ns = 10'000'000'000;
    std::uint32_t checkpoints_kept = 2;
    bool savepoint_on_stop = false;
    bool resuming = false;
    // The source keeps its workers' state itself (FACTORY_SOURCE_KEEPS_STATE): workshops load none
    // from the checkpoint at start or at a rollback; the source hands them over.
    bool source_keeps_state = false;
    std::uint64_t resume_epoch = 0;
    std::uint32_t resume_workshops = 0;       // how many workshops wrote that checkpoint
    std::vector<std::uint64_t> skip_seqs;     // materials a workshop died on earlier in the job

    bool checkpoints() const noexcept { return !checkpoint_dir.empty(); }

    std::string to_json() const;
    static run_config from_json(std::string_view text); // throws std::runtime_error
};

} // namespace factory
