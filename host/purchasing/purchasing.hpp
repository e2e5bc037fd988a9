// The purchasing department: runs the source plugin and puts every material on the production
// line of its key's workshop, at the pace the run asks (--rate) or as fast as the workshops take
// them. Ends on end of input, when the host asks it to stop, or on abort; in every case it closes
// the lines so the workshops drain them and finish.
#pragma once

#include "common/exit_codes.hpp"

#include "common/run_config.hpp"
#include "shm/segment.hpp"

namespace factory::purchasing {

// The purchasing process's work, after the segment is mapped and the logger made.
// Returns the process exit code (0: ended cleanly, including on a stop request).
child_exit run(shm::segment& seg, const run_config& cfg);

} // namespace factory::purchasing
