// A sample of the factory as the JSON document of GET /api/status, which the dashboard reads: the
// departments in the order materials flow through them, each with its counts and its rate, plus the
// last minutes of throughput. Field names are in snake_case; counts are integers, rates per second.
#pragma once

#include "http/status.hpp"

#include <string>

namespace factory::http {

std::string render_status_json(const status& s);

} // namespace factory::http
