// The life of a child process, whatever its role: name itself, die with the host, map the
// segment, read the run's configuration, make its logger, do its department's work, and leave
// its exit state and peak memory in its process block.
#pragma once

#include "runtime/roles.hpp"

namespace factory::runtime {

// Returns the process exit code.
int child_main(const child_identity& id);

} // namespace factory::runtime
