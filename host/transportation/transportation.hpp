// The transportation process: the stevedore takes products off every workshop's lane into the
// warehouse by pclass; the driver delivers them to the exporters every --flush and at the end.
#pragma once

#include "common/exit_codes.hpp"

#include "common/run_config.hpp"
#include "shm/segment.hpp"

namespace factory::transportation {

// The transportation process's work, after the segment is mapped and the logger made.
// Returns the process exit code (0: every product was exported or dead-lettered as counted,
// 4: an exporter failed, so products went to the dead-letter output).
child_exit run(shm::segment& seg, const run_config& cfg);

} // namespace factory::transportation
