// Ops: once a second, one line with what every line of the factory is doing: purchased per second,
// each production line's backlog, each workshop's roster, shipped and exported per second, dead
// letters so far (the original template's reports, in one line).
#pragma once

#include "shm/segment.hpp"

#include <spdlog/logger.h>

#include <cstdint>
#include <memory>

namespace factory::ops {

class report {
public:
    report(shm::segment& seg, std::shared_ptr<spdlog::logger> out);
    // Logs one line (at info) with the rates since the previous call.
    void tick();

private:
    shm::segment& seg_;
    std::shared_ptr<spdlog::logger> out_;
    std::int64_t last_ns_;
    std::uint64_t last_purchased_ = 0, last_shipped_ = 0, last_exported_ = 0;
};

} // namespace factory::ops
