// A sample of the factory as Prometheus' text exposition format 0.0.4: every family with # HELP
// and # TYPE, `factory_` names in base units (seconds, bytes), `_total` on counters.
// The purchase-to-assembly latency is a histogram whose buckets are the powers of two of the
// shared histogram (host/common/histogram.hpp) from 1 us to 68 s; its _sum is estimated from the
// bucket midpoints (within 12.5%), since the workshops count values, not their sum.
#pragma once

#include "http/status.hpp"

#include <string>

namespace factory::http {

inline constexpr const char* metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";

std::string render_metrics(const status& s);

} // namespace factory::http
