// Parsing of setting values, shared by the host (which checks every value before a run) and by
// plugins (which read the checked values). Header-only; no allocation; never throws. The host's
// own checks built on these (which form each setting type wants) live in host/plugins.
#pragma once

#include <factory/abi.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

namespace factory::values {

inline bool equals_nocase(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

inline std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

inline bool parse_bool(std::string_view s, bool& out) noexcept {
    s = trim(s);
    for (auto t : {"true", "yes", "on", "1"})
        if (equals_nocase(s, t)) { out = true; return true; }
    for (auto f : {"false", "no", "off", "0"})
        if (equals_nocase(s, f)) { out = false; return true; }
    return false;
}

inline bool parse_int(std::string_view s, std::int64_t& out) noexcept {
    s = trim(s);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return !s.empty() && ec == std::errc{} && p == s.data() + s.size();
}

inline bool parse_uint(std::string_view s, std::uint64_t& out) noexcept {
    s = trim(s);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    if (!s.empty() && s.front() == '-') return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return !s.empty() && ec == std::errc{} && p == s.data() + s.size();
}

inline bool parse_double(std::string_view s, double& out) noexcept {
    s = trim(s);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    // from_chars, unlike strtod, ignores the locale: "0.5" means one half everywhere.
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, std::chars_format::general);
    return !s.empty() && ec == std::errc{} && p == s.data() + s.size() && std::isfinite(out);
}

// Splits "12.5ms" into 12.5 and "ms".
inline bool split_number_unit(std::string_view s, double& number, std::string_view& unit) noexcept {
    s = trim(s);
    std::size_t i = 0;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '+')) ++i;
    if (i == 0) return false;
    if (!parse_double(s.substr(0, i), number) || number < 0) return false;
    unit = trim(s.substr(i));
    return true;
}

// Durations: "250ms", "5s", "1.5m", "2h", "100us", "10ns"; a bare number is seconds.
inline bool parse_duration_ns(std::string_view s, std::int64_t& out) noexcept {
    double n = 0;
    std::string_view unit;
    if (!split_number_unit(s, n, unit)) return false;
    double scale = 0;
    if (unit.empty() || unit == "s") scale = 1e9;
    else if (unit == "ms") scale = 1e6;
    else if (unit == "us") scale = 1e3;
    else if (unit == "ns") scale = 1;
    else if (unit == "m" || unit == "min") scale = 60e9;
    else if (unit == "h") scale = 3600e9;
    else if (unit == "d") scale = 86400e9;
    else return false;
    double v = n * scale;
    if (v > 9.2e18) return false;
    out = static_cast<std::int64_t>(std::llround(v));
    return true;
}

// Sizes: "4096", "64KiB", "1MiB", "2GB"; units are case-insensitive, "K"/"M"/"G" mean KiB/MiB/GiB.
inline bool parse_size(std::string_view s, std::uint64_t& out) noexcept {
    double n = 0;
    std::string_view unit;
    if (!split_number_unit(s, n, unit)) return false;
    double scale = 0;
    if (unit.empty() || equals_nocase(unit, "b")) scale = 1;
    else if (equals_nocase(unit, "k") || equals_nocase(unit, "kib")) scale = 1024.0;
    else if (equals_nocase(unit, "m") || equals_nocase(unit, "mib")) scale = 1024.0 * 1024;
    else if (equals_nocase(unit, "g") || equals_nocase(unit, "gib")) scale = 1024.0 * 1024 * 1024;
    else if (equals_nocase(unit, "kb")) scale = 1e3;
    else if (equals_nocase(unit, "mb")) scale = 1e6;
    else if (equals_nocase(unit, "gb")) scale = 1e9;
    else return false;
    double v = n * scale;
    if (v > 1.8e19) return false;
    out = static_cast<std::uint64_t>(std::llround(v));
    return true;
}

// True when `s` is one of the '|'-separated words of `choices`.
inline bool is_choice(std::string_view s, std::string_view choices) noexcept {
    s = trim(s);
    while (!choices.empty()) {
        auto bar = choices.find('|');
        auto word = choices.substr(0, bar);
        if (word == s) return true;
        if (bar == std::string_view::npos) break;
        choices.remove_prefix(bar + 1);
    }
    return false;
}

} // namespace factory::values
