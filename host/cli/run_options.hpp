// Everything a run can be told, from the command line and/or a TOML file (--config).
// Command-line values win over the file's; the file's win over these defaults.
#pragma once

#include "cli/plugin_spec.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace factory::cli {

enum class clock_mode { wall, material };

struct run_options {
    plugin_spec source{"synthetic", {}};
    plugin_spec blueprint{"widget", {}};
    std::vector<plugin_spec> exporters;          // empty: the default jsonl exporter into factory-out/
    std::vector<std::filesystem::path> plugin_dirs; // --plugin-dir, searched before the defaults

    unsigned workshops = 0;                      // 0: one per core
    double rate = 0;                             // materials per second; 0: as fast as taken
    std::int64_t contract_ns = 5'000'000'000;    // idle timeout of a worker
    std::int64_t inspect_ns = 2'000'000'000;     // inspector period; 0: no inspector
    std::int64_t max_age_ns = 0;                 // maximum worker age; 0: none
    std::uint64_t max_workers = 0;               // per workshop; 0: unlimited
    std::uint64_t expect_workers = 0;            // per workshop: size the roster once for this many
    std::optional<clock_mode> clock;             // unset: material when the source gives event time, else wall
    std::int64_t flush_ns = 5'000'000'000;       // the driver's period
    std::int64_t duration_ns = 0;                // 0: until end of input or a signal
    std::uint64_t line_bytes = 4u << 20;         // each production line's ring
    std::uint64_t lane_bytes = 4u << 20;         // each transportation lane's ring
    std::uint64_t max_material = 64u << 10;      // largest material payload
    std::uint32_t export_retries = 5;            // an exporter's RETRY answers before dead letter
    std::int64_t retry_backoff_ns = 100'000'000; // first backoff; doubles up to 30 s
    std::int64_t hang_timeout_ns = 30'000'000'000; // a workshop silent this long is restarted; 0: never
    std::uint32_t max_restarts = 5;              // deaths of one process within a minute before giving up
    // --max-dead-letters: a count, or a percentage of purchased materials; past it the run fails
    // (host_exit::dead_letter_limit). Neither set: no limit.
    std::optional<std::uint64_t> max_dead_letters;
    std::optional<double> max_dead_letter_percent;
    std::filesystem::path dead_letter_dir = "factory-dead-letter";
    std::optional<std::filesystem::path> summary_json;
    std::optional<std::filesystem::path> config_file;
    std::string log_level = "info";
    bool quiet = false;                          // no ops lines, warnings and errors only
    std::string http;                            // --http ADDR:PORT; empty: no ops HTTP server
    bool http_public = false;                    // --http-public: allow a non-loopback --http address
    std::int64_t http_linger_ns = 0;             // --http-linger: serve the final figures this long after the end
    std::optional<std::filesystem::path> checkpoint_dir; // --checkpoint DIR: checkpoints on (off when unset)
    std::int64_t checkpoint_every_ns = 10'000'000'000;   // --checkpoint-every
    std::uint32_t checkpoints_kept = 2;                  // --checkpoints-kept
    bool savepoint_on_stop = false;                      // --on-stop savepoint (default fire)
};

} // namespace factory::cli
