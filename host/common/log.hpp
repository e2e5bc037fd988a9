// Logging: one spdlog logger per process, named after its department, in that department's colour
// when stderr is a terminal (as the original template coloured its reports). Create it after the
// process has started (never before a fork); it is synchronous, so no thread is involved.
// Never log per record: loggers are for start-up, once-a-second reports and errors.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace factory {

enum class department { ceo, ops, purchasing, workshop, transportation, accounting };

// Makes a logger for a department. `level` is a spdlog level name (trace, debug, info, warn, error,
// critical, off); throws std::invalid_argument on a bad one. With `as_default`, it becomes the
// process's logger (log()); the host also keeps one for ops, which reports in its own colour.
std::shared_ptr<spdlog::logger> make_logger(department d, const std::string& name, const std::string& level,
                                            bool as_default = true);

// The process's logger (made by make_logger; a plain stderr logger before that).
spdlog::logger& log();

} // namespace factory
