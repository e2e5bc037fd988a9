// Durations and sizes as text, for --help defaults and logs. The inverse of values.hpp's
// parse_duration_ns / parse_size for every value these produce.
#pragma once

#include <cstdint>
#include <string>

namespace factory::cli {

// The largest whole unit: 0 -> "0", 5'000'000'000 -> "5s", 100'000'000 -> "100ms", 90 s -> "90s"
// (minutes and hours only when whole: 120 s -> "2m").
std::string format_duration(std::int64_t ns);

// The largest whole binary unit: 4 MiB -> "4MiB", 65536 -> "64KiB", 1000 -> "1000".
std::string format_size(std::uint64_t bytes);

} // namespace factory::cli
