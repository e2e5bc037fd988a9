#include "common/log.hpp"

#include <spdlog/sinks/ansicolor_sink.h>

#include <stdexcept>

namespace factory {

namespace {

std::shared_ptr<spdlog::logger>& current() {
    static std::shared_ptr<spdlog::logger> logger;
    return logger;
}

// ANSI SGR codes; spdlog writes them only when stderr is a terminal.
std::string_view colour_of(department d) {
    switch (d) {
    case department::ops: return "\033[36m";            // cyan
    case department::purchasing: return "\033[32m";     // green
    case department::workshop: return "\033[34m";       // blue
    case department::transportation: return "\033[35m"; // magenta
    case department::accounting: return "\033[1m";      // bold
    case department::ceo: return "\033[37m";            // white
    }
    return "\033[m";
}

} // namespace

std::shared_ptr<spdlog::logger> make_logger(department d, const std::string& name, const std::string& level,
                                            bool as_default) {
    auto lvl = spdlog::level::from_str(level);
    if (lvl == spdlog::level::off && level != "off")
        throw std::invalid_argument("--log-level '" + level +
                                    "' is not one of trace, debug, info, warn, error, critical, off");
    auto sink = std::make_shared<spdlog::sinks::ansicolor_stderr_sink_st>();
    sink->set_color(spdlog::level::info, colour_of(d));
    sink->set_color(spdlog::level::debug, colour_of(d));
    auto logger = std::make_shared<spdlog::logger>(name, sink);
    logger->set_pattern("%H:%M:%S.%e %^%-14n %-5l %v%$");
    logger->set_level(lvl);
    logger->flush_on(spdlog::level::trace);
    if (as_default) {
        spdlog::set_default_logger(logger);
        current() = logger;
    }
    return logger;
}

spdlog::logger& log() {
    auto& l = current();
    if (!l) l = spdlog::default_logger();
    return *l;
}

} // namespace factory
