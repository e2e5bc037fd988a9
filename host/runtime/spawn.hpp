// Starting a child process of the run (see roles.hpp).
#pragma once

#include "runtime/roles.hpp"

#include <sys/types.h>

namespace factory::runtime {

// Starts this executable afresh as the given child; returns its pid. Throws std::runtime_error.
pid_t spawn_child(role r, std::uint32_t index, const std::string& segment);

} // namespace factory::runtime
