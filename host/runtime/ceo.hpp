// The CEO: factory-host's run command. Checks every plugin and setting, creates the run's shared
// segment, starts purchasing, the workshops and transportation, supervises them, reports ops every
// second, ends the run in order (end of input, --duration, or SIGINT/SIGTERM; a second signal ends
// at once), prints the accounting and removes the segment.
//
// Exit codes: 0 the run ended and its counts balance; 1 the run ended but not cleanly (counts do
// not balance, products had to be dead-lettered because an exporter failed, a process died);
// 2 refused to start (a plugin, a setting or an option is wrong; nothing ran); 3 fatal (the shared
// segment could not be created).
#pragma once

#include "cli/run_options.hpp"

namespace factory::runtime {

int ceo(const cli::run_options& opts);

} // namespace factory::runtime
