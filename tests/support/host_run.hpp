// Running factory-host from a test: as a child process with its output captured, a watchdog that
// kills it (and fails the test) instead of letting CI hang, and its --summary-json read back.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace factory::testing {

struct host_result {
    int exit_code = -1;   // -1: killed by the watchdog or a signal
    int signal = 0;
    bool timed_out = false;
    std::string out, err;
    nlohmann::json summary; // null when no --summary-json was written
};

struct host_options {
    std::chrono::seconds timeout{120};
    std::filesystem::path cwd;                       // empty: a fresh temporary folder
    std::string stdin_text;                          // written to the host's stdin, then closed
    std::function<void(pid_t, const std::string& err_so_far)> on_output; // called as stderr grows
    bool own_process_group = false; // start the host as the leader of a new process group
    bool summary = true; // add --summary-json (false for commands without it: `checkpoints DIR`)
};

// Runs factory-host with `args`; adds --summary-json <tmp> unless `args` has one.
host_result run_host(std::vector<std::string> args, const host_options& opt = {});

// A fresh empty folder under the system's temporary folder, removed by the caller when done.
std::filesystem::path fresh_dir(const std::string& name);

// Lines of a text file; each parsed as JSON when `json` (empty lines skipped).
std::vector<nlohmann::json> read_jsonl(const std::filesystem::path& file);

// The pid of the child of `host_pid` whose title (argv[0], as ps shows it) is `title`, e.g.
// "factory: workshop 1"; 0 when there is none.
pid_t find_child(pid_t host_pid, const std::string& title);

// Names in /dev/shm that a run of `host_pid` would use (should be none after it ends).
bool segment_exists_for(pid_t host_pid);

} // namespace factory::testing
