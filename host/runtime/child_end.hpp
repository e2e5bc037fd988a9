// How a child's end reads to the supervisor: the one place that turns a wait status and the
// child's own mark in its process block into what the run does next.
//
// A child's end is orderly only when it exited with one of the orderly codes (exit_codes.hpp)
// AND marked its process block `done`, which child_main does after its department's work
// returned. A plugin that calls exit(0) or _exit(4) from a hook never gets there, so it reads as
// a death, whatever number it chose. A child that failed to open its plugin marks `failed`: at
// start-up that refuses the run; during the run (a restarted workshop) it is a death, with the
// plugin's message.
#pragma once

#include "common/exit_codes.hpp"
#include "runtime/roles.hpp"
#include "shm/stats.hpp"

#include <string>

namespace factory::runtime {

enum class child_end {
    finished,          // did its part; nothing to do
    finished_unclean,  // ended in order after a failure it reported (source input error, exports
                       // dead-lettered): the run goes on ending, but is not clean
    refused,           // could not open its plugin (message in the process block)
    died               // anything else: a signal, an exit() from a plugin, an unexpected code
};

child_end classify_end(role r, int wait_status, shm::child_state state) noexcept;

// "exit code 2", "signal Killed".
std::string describe_status(int wait_status);

} // namespace factory::runtime
