// The CEO's first duty: check everything before starting anything. Finds and loads every plugin
// named by the run (reading only its descriptor), checks its kind and settings, checks the run's
// own numbers, and produces the run_config every process will share. Any problem is a
// refusal: std::runtime_error with one line naming the plugin, setting or option.
#pragma once

#include "cli/run_options.hpp"
#include "common/run_config.hpp"
#include "plugins/plugin.hpp"

namespace factory::runtime {

run_config configure(const cli::run_options& opts);

// Typed materials: the layout purchasing hands the source (the blueprint's material_layout when the
// source's descriptor says it fills records; empty otherwise). Throws std::runtime_error naming
// both plugins when the blueprint reads only records (no FACTORY_MATERIAL_TAKES_RAW) and the source
// cannot fill them.
material_layout material_layout_for(const plugins::plugin& source, const plugins::plugin& bp);

// The capacity of a line or lane asked to hold `bytes`: a power of two of at least 64 KiB.
std::uint64_t ring_capacity_for(std::uint64_t bytes);

} // namespace factory::runtime
