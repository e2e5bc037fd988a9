// CPU time and resident memory of one process, from /proc/<pid>/stat (Linux). Read by the host's
// ops loop once a second for itself and each child: a few small reads, never on the data path.
#pragma once

#include <cstdint>
#include <optional>

#include <sys/types.h>

namespace factory::http {

struct proc_usage {
    double cpu_seconds = 0;       // user + system, since the process started
    std::uint64_t rss_bytes = 0;  // resident set now
};

// Nothing when the process does not exist (it ended, or is being restarted).
std::optional<proc_usage> read_proc_usage(pid_t pid);

} // namespace factory::http
