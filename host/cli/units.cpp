#include "cli/units.hpp"

namespace factory::cli {

std::string format_duration(std::int64_t ns) {
    if (ns == 0) return "0";
    struct unit { std::int64_t ns; const char* name; };
    static constexpr unit units[] = {{3'600'000'000'000, "h"}, {60'000'000'000, "m"}, {1'000'000'000, "s"},
                                     {1'000'000, "ms"}, {1'000, "us"}, {1, "ns"}};
    for (const auto& u : units)
        if (ns % u.ns == 0) return std::to_string(ns / u.ns) + u.name;
    return std::to_string(ns) + "ns";
}

std::string format_size(std::uint64_t bytes) {
    if (bytes == 0) return "0";
    struct unit { std::uint64_t bytes; const char* name; };
    static constexpr unit units[] = {{1ull << 30, "GiB"}, {1ull << 20, "MiB"}, {1ull << 10, "KiB"}};
    for (const auto& u : units)
        if (bytes % u.bytes == 0) return std::to_string(bytes / u.bytes) + u.name;
    return std::to_string(bytes);
}

} // namespace factory::cli
