// Processes a plugin started and left behind. The host is a child subreaper (prctl
// PR_SET_CHILD_SUBREAPER), so when a department's process ends, whatever it forked is re-parented
// to the host instead of to init. Once every department has ended, anything still parented to the
// host is a stray of the run: it is killed and reaped, so nothing a run started outlives it.
#pragma once

#include <cstddef>
#include <vector>

#include <sys/types.h>

namespace factory::runtime {

// This process's children, from /proc (a stray is any of them once the run's own have ended).
std::vector<pid_t> children_of_self();

// Kills (SIGKILL) and reaps every child of this process, again for the children those leave behind,
// until none is left or a bounded number of rounds passed. Returns how many it ended.
std::size_t end_strays();

} // namespace factory::runtime
