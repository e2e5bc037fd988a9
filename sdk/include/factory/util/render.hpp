// Writing product records as text, from their pclass (factory_pclass in <factory/abi.h>, built
// with <factory/schema.hpp>): one field, or a whole record as a JSON object, a CSV row (and its
// header row) or a "key=value ..." line. Header-only; never throws.
//
//   std::string line;                        // keep it: reused, it stops allocating once warm
//   line.clear();
//   factory::render::append_json(line, batch.schema(), factory_product_payload(&p));
//   line.push_back('\n');
//
// Every function appends to the caller's std::string and writes no line terminator. How values
// look, by field type:
//   u8..u64, i8..i64  decimal
//   f32, f64       shortest text that reads back to the same float / double ("0.1", "1e+20", "-0");
//                  NaN and infinities: null in JSON, nan / inf / -inf elsewhere
//   bool           true / false (any non-zero byte is true)
//   ipv4           dotted quad "192.0.2.1"
//   ipv6           RFC 5952: lowercase, no leading zeros, the longest run of two or more zero
//                  groups (the first of equals) as "::"; IPv4-mapped as "::ffff:192.0.2.1"
//   time_ns        integer nanoseconds, or (options::time = iso8601) ISO 8601 UTC with
//                  milliseconds, rounded down: "2024-05-01T12:34:56.789Z"
//   string         the bytes up to the first NUL (the field is NUL-padded), escaped per format
// In JSON, ipv4, ipv6, ISO times and strings are JSON strings (invalid UTF-8 in a string field
// becomes U+FFFD, so the output is always valid JSON). In CSV, a value is quoted (RFC 4180: "" for
// a quote) only when it holds a comma, a quote, CR or LF, and invalid UTF-8 becomes U+FFFD too. In text lines, a string is written bare
// unless it is empty or holds a space, '=', '"', '\' or a control character; then it is written
// as a JSON string.
//
// A field whose bytes lie outside the record (a malformed pclass) is written as null / empty.
#pragma once

#include <factory/abi.h>
#include <factory/util/json.hpp>
#include <factory/schema.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace factory::render {

enum class time_format : std::uint8_t { ns, iso8601 };
enum class style : std::uint8_t { json, csv, text };

struct options {
    time_format time = time_format::ns;
};

// ---------------------------------------------------------------- values

inline void append_u64(std::string& out, std::uint64_t v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}

inline void append_i64(std::string& out, std::int64_t v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}

// Shortest round-trip form; non-finite values as nan / inf / -inf (callers writing JSON check
// std::isfinite first).
inline void append_f64(std::string& out, double v) {
    if (std::isnan(v)) { out.append("nan"); return; }
    if (std::isinf(v)) { out.append(v < 0 ? "-inf" : "inf"); return; }
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}

namespace detail {

// Digits written by hand, not with std::to_chars: its end pointer (buf + size on failure) makes
// GCC's -Wstringop-overflow see a write past the buffer in a plugin's optimised build.
inline char* put_octet(char* p, unsigned v) noexcept {
    if (v >= 100) {
        *p++ = static_cast<char>('0' + v / 100);
        v %= 100;
        *p++ = static_cast<char>('0' + v / 10);
    } else if (v >= 10) {
        *p++ = static_cast<char>('0' + v / 10);
    }
    *p++ = static_cast<char>('0' + v % 10);
    return p;
}

// A 16-bit group in lowercase hex without leading zeros.
inline char* put_hex_group(char* p, unsigned v) noexcept {
    static constexpr char hex[] = "0123456789abcdef";
    int shift = 12;
    while (shift > 0 && (v >> shift) == 0) shift -= 4;
    for (; shift >= 0; shift -= 4) *p++ = hex[(v >> shift) & 15];
    return p;
}

} // namespace detail

// As append_f64, for a float: the shortest text that reads back to the same float.
inline void append_f32(std::string& out, float v) {
    if (std::isnan(v)) { out.append("nan"); return; }
    if (std::isinf(v)) { out.append(v < 0 ? "-inf" : "inf"); return; }
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}

// `b`: 4 bytes, network byte order.
inline void append_ipv4(std::string& out, const unsigned char* b) {
    char buf[16];
    char* p = detail::put_octet(buf, b[0]);
    for (int i = 1; i < 4; ++i) {
        *p++ = '.';
        p = detail::put_octet(p, b[i]);
    }
    out.append(buf, static_cast<std::size_t>(p - buf));
}

// `b`: 16 bytes, network byte order.
inline void append_ipv6(std::string& out, const unsigned char* b) {
    unsigned g[8];
    for (int i = 0; i < 8; ++i) g[i] = static_cast<unsigned>(b[2 * i]) << 8 | b[2 * i + 1];
    if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff) {
        out.append("::ffff:");
        append_ipv4(out, b + 12);
        return;
    }
    int best = -1, best_len = 1; // a lone zero group is never compressed
    for (int i = 0; i < 8;) {
        if (g[i] != 0) { ++i; continue; }
        int j = i;
        while (j < 8 && g[j] == 0) ++j;
        if (j - i > best_len) { best = i; best_len = j - i; }
        i = j;
    }
    char buf[48];
    char* p = buf;
    for (int i = 0; i < 8; ++i) {
        if (i == best) {
            *p++ = ':';
            *p++ = ':';
            i += best_len - 1;
            continue;
        }
        if (i > 0 && i != best + best_len) *p++ = ':';
        p = detail::put_hex_group(p, g[i]);
    }
    out.append(buf, static_cast<std::size_t>(p - buf));
}

// ISO 8601 UTC with milliseconds, rounded towards the past: "1969-12-31T23:59:59.999Z" for -1 ns.
inline void append_iso8601(std::string& out, std::int64_t ns) {
    auto floor_div = [](std::int64_t a, std::int64_t b) {
        std::int64_t q = a / b;
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
    };
    std::int64_t ms = floor_div(ns, 1000000);
    std::int64_t secs = floor_div(ms, 1000);
    std::int64_t days = floor_div(secs, 86400);
    std::int64_t sod = secs - days * 86400;
    // Civil date from days since 1970-01-01 (proleptic Gregorian). Counting from 0000-03-01 puts
    // the leap day last in each year, so whole 400-year eras (146097 days) repeat exactly.
    std::int64_t z = days + 719468;
    std::int64_t era = floor_div(z, 146097);
    std::int64_t doe = z - era * 146097;                                  // [0, 146096]
    std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; // [0, 399]
    std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);           // [0, 365], from Mar 1
    std::int64_t mp = (5 * doy + 2) / 153;                                // month from March
    std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
    std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
    std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);

    char buf[32];
    auto two = [](char* p, std::int64_t v) {
        p[0] = static_cast<char>('0' + v / 10);
        p[1] = static_cast<char>('0' + v % 10);
    };
    // int64 nanoseconds span 1677..2262: always four digits.
    two(buf, year / 100);
    two(buf + 2, year % 100);
    buf[4] = '-';
    two(buf + 5, month);
    buf[7] = '-';
    two(buf + 8, day);
    buf[10] = 'T';
    two(buf + 11, sod / 3600);
    buf[13] = ':';
    two(buf + 14, sod / 60 % 60);
    buf[16] = ':';
    two(buf + 17, sod % 60);
    buf[19] = '.';
    std::int64_t milli = ms - secs * 1000;
    buf[20] = static_cast<char>('0' + milli / 100);
    two(buf + 21, milli % 100);
    buf[23] = 'Z';
    out.append(buf, 24);
}

namespace detail {

// Appends the UTF-8 sequence that starts at p (a byte >= 0x80), or U+FFFD when it is not a valid
// one (then one byte is consumed). Returns where the next character starts.
inline const unsigned char* append_utf8_sequence(std::string& out, const unsigned char* p, const unsigned char* end) {
    std::size_t n = json::detail::utf8_length(p, end);
    if (n == 0) {
        out.append("\xef\xbf\xbd");
        return p + 1;
    }
    out.append(reinterpret_cast<const char*>(p), n);
    return p + n;
}

// Appends `s` with every byte that does not belong to a valid UTF-8 sequence as U+FFFD.
inline void append_utf8(std::string& out, std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const auto* end = p + s.size();
    while (p < end) {
        const auto* run = p;
        while (p < end && *p < 0x80) ++p;
        out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p - run));
        if (p < end) p = append_utf8_sequence(out, p, end);
    }
}

} // namespace detail

// A JSON string with its quotes. Control characters are escaped; invalid UTF-8 becomes U+FFFD.
inline void append_json_string(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    out.push_back('"');
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const auto* end = p + s.size();
    while (p < end) {
        const auto* run = p;
        while (p < end && json::detail::plain_table[*p]) ++p;
        out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p - run));
        if (p == end) break;
        unsigned char c = *p;
        if (c >= 0x80) {
            p = detail::append_utf8_sequence(out, p, end);
            continue;
        }
        ++p;
        switch (c) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        case '\n': out.append("\\n"); break;
        case '\r': out.append("\\r"); break;
        case '\t': out.append("\\t"); break;
        case '\b': out.append("\\b"); break;
        case '\f': out.append("\\f"); break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            out.append(u, 6);
        }
        }
    }
    out.push_back('"');
}

// One CSV field, quoted (RFC 4180) only when it must be; invalid UTF-8 becomes U+FFFD, as in JSON.
inline void append_csv_field(std::string& out, std::string_view s) {
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
        detail::append_utf8(out, s);
        return;
    }
    out.push_back('"');
    for (std::size_t quote; (quote = s.find('"')) != std::string_view::npos; s.remove_prefix(quote + 1)) {
        detail::append_utf8(out, s.substr(0, quote));
        out.append("\"\"");
    }
    detail::append_utf8(out, s);
    out.push_back('"');
}

// A string field's text: its bytes up to the first NUL.
inline std::string_view string_field(const void* at, std::size_t size) noexcept {
    const char* p = static_cast<const char*>(at);
    const void* nul = std::memchr(p, 0, size);
    return {p, nul != nullptr ? static_cast<std::size_t>(static_cast<const char*>(nul) - p) : size};
}

namespace detail {

inline bool text_needs_quotes(std::string_view s) noexcept {
    if (s.empty()) return true;
    for (unsigned char c : s)
        if (c <= ' ' || c == '=' || c == '"' || c == '\\' || c == 0x7f) return true;
    return false;
}

inline void append_null(std::string& out, style st) {
    if (st == style::json) out.append("null");
}

} // namespace detail

// One field's value from `record`, as `st` writes it. The caller has checked that the field lies
// inside the record (the record-level functions below do).
inline void append_field(std::string& out, const factory_field& f, const void* record, style st,
                         const options& o = {}) {
    const unsigned char* at = static_cast<const unsigned char*>(record) + f.offset;
    bool quote = st == style::json;
    switch (f.type) {
    case FACTORY_FIELD_U8: append_u64(out, read_field<std::uint8_t>(record, f)); break;
    case FACTORY_FIELD_U16: append_u64(out, read_field<std::uint16_t>(record, f)); break;
    case FACTORY_FIELD_U32: append_u64(out, read_field<std::uint32_t>(record, f)); break;
    case FACTORY_FIELD_U64: append_u64(out, read_field<std::uint64_t>(record, f)); break;
    case FACTORY_FIELD_I8: append_i64(out, read_field<std::int8_t>(record, f)); break;
    case FACTORY_FIELD_I16: append_i64(out, read_field<std::int16_t>(record, f)); break;
    case FACTORY_FIELD_I32: append_i64(out, read_field<std::int32_t>(record, f)); break;
    case FACTORY_FIELD_I64: append_i64(out, read_field<std::int64_t>(record, f)); break;
    case FACTORY_FIELD_F32: {
        // The float's own shortest form ("0.1"), not its double's ("0.10000000149011612").
        const float v = read_field<float>(record, f);
        if (st == style::json && !std::isfinite(v)) out.append("null");
        else append_f32(out, v);
        break;
    }
    case FACTORY_FIELD_F64: {
        double v = read_field<double>(record, f);
        if (st == style::json && !std::isfinite(v)) out.append("null");
        else append_f64(out, v);
        break;
    }
    case FACTORY_FIELD_BOOL: out.append(*at != 0 ? "true" : "false"); break;
    case FACTORY_FIELD_IPV4:
    case FACTORY_FIELD_IPV6:
        if (quote) out.push_back('"');
        if (f.type == FACTORY_FIELD_IPV4) append_ipv4(out, at);
        else append_ipv6(out, at);
        if (quote) out.push_back('"');
        break;
    case FACTORY_FIELD_TIME_NS: {
        std::int64_t v = read_field<std::int64_t>(record, f);
        if (o.time == time_format::ns) { append_i64(out, v); break; }
        if (quote) out.push_back('"');
        append_iso8601(out, v);
        if (quote) out.push_back('"');
        break;
    }
    case FACTORY_FIELD_STRING: {
        std::string_view s = string_field(at, f.size);
        if (st == style::json || (st == style::text && detail::text_needs_quotes(s)))
            append_json_string(out, s);
        else if (st == style::csv) append_csv_field(out, s);
        else detail::append_utf8(out, s);
        break;
    }
    default: detail::append_null(out, st);
    }
}

// True when the field's bytes lie inside a record of the pclass.
inline bool field_fits(const factory_pclass& pc, const factory_field& f) noexcept {
    std::uint32_t size = f.type == FACTORY_FIELD_STRING ? f.size : field_type_size(f.type);
    return size != 0 && f.offset <= pc.record_size && size <= pc.record_size - f.offset;
}

// `"name":value,"name":value` without braces, so that a caller may add members of its own.
inline void append_json_members(std::string& out, const factory_pclass& pc, const void* record,
                                const options& o = {}) {
    for (std::uint32_t i = 0; i < pc.field_count; ++i) {
        const factory_field& f = pc.fields[i];
        if (i > 0) out.push_back(',');
        append_json_string(out, f.name);
        out.push_back(':');
        if (field_fits(pc, f)) append_field(out, f, record, style::json, o);
        else out.append("null");
    }
}

// The record as one JSON object, field names as keys, in schema order.
inline void append_json(std::string& out, const factory_pclass& pc, const void* record,
                        const options& o = {}) {
    out.push_back('{');
    append_json_members(out, pc, record, o);
    out.push_back('}');
}

// The field names, comma-separated.
inline void append_csv_header(std::string& out, const factory_pclass& pc) {
    for (std::uint32_t i = 0; i < pc.field_count; ++i) {
        if (i > 0) out.push_back(',');
        append_csv_field(out, pc.fields[i].name);
    }
}

inline void append_csv_row(std::string& out, const factory_pclass& pc, const void* record,
                           const options& o = {}) {
    for (std::uint32_t i = 0; i < pc.field_count; ++i) {
        const factory_field& f = pc.fields[i];
        if (i > 0) out.push_back(',');
        if (field_fits(pc, f)) append_field(out, f, record, style::csv, o);
    }
}

// `name=value name=value`.
inline void append_text(std::string& out, const factory_pclass& pc, const void* record,
                        const options& o = {}) {
    for (std::uint32_t i = 0; i < pc.field_count; ++i) {
        const factory_field& f = pc.fields[i];
        if (i > 0) out.push_back(' ');
        out.append(f.name);
        out.push_back('=');
        if (field_fits(pc, f)) append_field(out, f, record, style::text, o);
    }
}

} // namespace factory::render
