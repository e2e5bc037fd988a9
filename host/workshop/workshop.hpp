// A workshop process: one per core, each with its own production line, roster and blueprint
// instance, and its own transportation lane.
#pragma once

#include "common/exit_codes.hpp"

#include "common/run_config.hpp"
#include "shm/segment.hpp"

#include <cstdint>

namespace factory::workshop {

// The workshop process's work, after the segment is mapped and the logger made.
// Returns the process exit code.
child_exit run(shm::segment& seg, const run_config& cfg, std::uint32_t index);

} // namespace factory::workshop
