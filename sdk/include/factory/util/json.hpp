// A small JSON reader for plugin authors: checks that a text is exactly one JSON object (the
// RFC 8259 grammar, strings checked for UTF-8 and for paired \u surrogates) and hands each of its
// top-level members to a visitor, as views into the text. Header-only; no allocation, no
// exception, no std::string; safe on any bytes (it never reads outside the text).
//
//   std::uint64_t bytes = 0;
//   bool found = false;
//   factory::json::status st = factory::json::read_object(line, [&](const factory::json::member& m) {
//       if (!found && factory::json::equals(m.key, "bytes")) found = factory::json::to_u64(m, bytes);
//   });
//   if (!st) reject(st.offset, st.reason);          // e.g. 12, "expected ':' after a key"
//
// The visitor is called for every top-level member in document order, as soon as its value has
// been read, so it may see members of a text that later turns out to be invalid: keep what it
// gathers only when read_object() reports success. Duplicate keys are all visited. Nested objects
// and arrays are checked and visited whole (kind object/array, raw text); pass that text to
// read_object() again to look inside an object.
#pragma once

#include <array>
#include <bit>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <system_error>

namespace factory::json {

enum class kind : std::uint8_t { null, boolean, number, string, array, object };

inline const char* to_string(kind k) noexcept {
    switch (k) {
    case kind::null: return "null";
    case kind::boolean: return "boolean";
    case kind::number: return "number";
    case kind::string: return "string";
    case kind::array: return "array";
    case kind::object: return "object";
    }
    return "?";
}

// One top-level member. Both views point into the text given to read_object().
struct member {
    std::string_view key;   // between the quotes, escapes as written (compare with equals())
    std::string_view value; // a string: between the quotes, escapes as written; otherwise the
                            // value's text exactly as written ("12.5e3", "true", "[1, 2]")
    json::kind kind = json::kind::null;
};

// The outcome of read_object(): ok, or the byte offset of the fault and a short static reason.
struct status {
    const char* reason = nullptr; // nullptr when the text is valid; static storage otherwise
    std::size_t offset = 0;       // bytes from the start of the text
    bool ok() const noexcept { return reason == nullptr; }
    explicit operator bool() const noexcept { return ok(); }
};

// Nesting depth counts the top-level object as 1: {"a":[{}]} has depth 3.
inline constexpr unsigned default_max_depth = 64;
inline constexpr unsigned max_depth_limit = 1024; // larger requests are clamped to this

namespace detail {

inline constexpr std::uint64_t ones = 0x0101010101010101ULL;
inline constexpr std::uint64_t highs = 0x8080808080808080ULL;

// Bytes that may appear in a string as they are: printable ASCII except '"' and '\'.
inline constexpr std::array<bool, 256> plain_table = [] {
    std::array<bool, 256> t{};
    for (unsigned c = 0x20; c < 0x80; ++c) t[c] = c != '"' && c != '\\';
    return t;
}();

inline int hex_value(unsigned char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Reads 4 hex digits at p (p + 4 <= end checked by the caller); -1 when one is not hex.
inline long hex4(const unsigned char* p) noexcept {
    long v = 0;
    for (int i = 0; i < 4; ++i) {
        int h = hex_value(p[i]);
        if (h < 0) return -1;
        v = v * 16 + h;
    }
    return v;
}

// Length of the valid UTF-8 sequence starting at p (a byte >= 0x80), or 0 (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF).
inline std::size_t utf8_length(const unsigned char* p, const unsigned char* end) noexcept {
    unsigned char c = p[0];
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 2;
    else if (c == 0xe0) { n = 3; lo = 0xa0; }
    else if (c == 0xed) { n = 3; hi = 0x9f; }
    else if (c >= 0xe1 && c <= 0xef) n = 3;
    else if (c == 0xf0) { n = 4; lo = 0x90; }
    else if (c >= 0xf1 && c <= 0xf3) n = 4;
    else if (c == 0xf4) { n = 4; hi = 0x8f; }
    else return 0;
    if (static_cast<std::size_t>(end - p) < n) return 0;
    if (p[1] < lo || p[1] > hi) return 0;
    for (std::size_t i = 2; i < n; ++i)
        if (p[i] < 0x80 || p[i] > 0xbf) return 0;
    return n;
}

// The scanners take the position by value and return the position after what they read, or
// nullptr with `f` set: the position stays in a register across the whole document.
using byte_ptr = const unsigned char*;

struct fault {
    const char* reason = nullptr;
    byte_ptr at = nullptr;
};

inline byte_ptr fail(fault& f, const char* reason, byte_ptr at) noexcept {
    f.reason = reason;
    f.at = at;
    return nullptr;
}

inline byte_ptr skip_ws(byte_ptr p, byte_ptr end) noexcept {
    // Compact JSON has no whitespace between tokens: one compare settles most calls.
    while (p < end && *p <= ' ' && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) ++p;
    return p;
}

inline byte_ptr digits(byte_ptr p, byte_ptr end) noexcept {
    if constexpr (std::endian::native == std::endian::little) {
        // Eight bytes at a time: a byte is a digit when its high nibble is 3 both as it is and
        // with 6 added (0x3a..0x3f become 0x40..0x45). A carry can only come from a non-digit
        // byte and only runs upwards, so the lowest flagged byte is the first non-digit.
        while (end - p >= 8) {
            std::uint64_t w;
            std::memcpy(&w, p, 8);
            std::uint64_t t = ((w & ones * 0xf0) ^ ones * 0x30) | (((w + ones * 0x06) & ones * 0xf0) ^ ones * 0x30);
            std::uint64_t nonzero = (((t & ones * 0x7f) + ones * 0x7f) | t) & highs;
            if (nonzero != 0) return p + std::countr_zero(nonzero) / 8;
            p += 8;
        }
    }
    while (p < end && static_cast<unsigned char>(*p - '0') < 10) ++p;
    return p;
}

// p at a backslash inside a string.
inline byte_ptr scan_escape(byte_ptr p, byte_ptr end, fault& f) noexcept {
    if (end - p < 2) return fail(f, "unterminated string", p);
    unsigned char e = p[1];
    if (e != 'u') {
        if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't')
            return p + 2;
        return fail(f, "invalid escape in a string", p);
    }
    if (end - p < 6) return fail(f, "invalid \\u escape: expected 4 hex digits", p);
    long cp = hex4(p + 2);
    if (cp < 0) return fail(f, "invalid \\u escape: expected 4 hex digits", p);
    if (cp >= 0xdc00 && cp <= 0xdfff) return fail(f, "unpaired surrogate in a \\u escape", p);
    if (cp < 0xd800 || cp > 0xdbff) return p + 6;
    if (end - p < 12 || p[6] != '\\' || p[7] != 'u') return fail(f, "unpaired surrogate in a \\u escape", p);
    long lo = hex4(p + 8);
    if (lo < 0xdc00 || lo > 0xdfff) return fail(f, "unpaired surrogate in a \\u escape", p);
    return p + 12;
}

// p at the opening quote; returns past the closing quote.
// Inlined: most strings are short keys, where a call costs as much as the scan.
[[gnu::always_inline]] inline byte_ptr scan_string(byte_ptr p, byte_ptr end, fault& f) noexcept {
    byte_ptr open = p++;
    for (;;) {
        // Eight bytes at a time: flag '"', '\', bytes below 0x20 and bytes from 0x80 (the
        // zero-byte and less-than tricks on a 64-bit word). Borrows only run upwards from a
        // flagged byte, so the lowest flag is exact and p jumps straight to that byte.
        bool found = false;
        while (end - p >= 8) {
            std::uint64_t w;
            std::memcpy(&w, p, 8);
            std::uint64_t q = w ^ (ones * '"');
            std::uint64_t b = w ^ (ones * '\\');
            std::uint64_t special =
                (((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w) | w) & highs;
            if (special != 0) {
                if constexpr (std::endian::native == std::endian::little) p += std::countr_zero(special) / 8;
                found = true;
                break;
            }
            p += 8;
        }
        if (!found)
            while (p < end && plain_table[*p]) ++p;
        if (p == end) return fail(f, "unterminated string", open);
        unsigned char c = *p;
        if (c == '"') return p + 1;
        if (c == '\\') {
            p = scan_escape(p, end, f);
            if (p == nullptr) return nullptr;
        } else if (c < 0x20) {
            return fail(f, "control character in a string: escape it as \\u00XX", p);
        } else if (c >= 0x80) {
            std::size_t n = utf8_length(p, end);
            if (n == 0) return fail(f, "invalid UTF-8 in a string", p);
            p += n;
        } else {
            ++p; // a plain byte (big-endian machines stop at the word, not the byte)
        }
    }
}

// p at the first byte of a number ('-' or a digit).
inline byte_ptr scan_number(byte_ptr p, byte_ptr end, fault& f) noexcept {
    if (p < end && *p == '-') ++p;
    if (p == end || static_cast<unsigned char>(*p - '0') >= 10)
        return fail(f, "invalid number: expected a digit", p);
    p = *p == '0' ? p + 1 : digits(p, end);
    if (p < end && *p == '.') {
        ++p;
        if (p == end || static_cast<unsigned char>(*p - '0') >= 10)
            return fail(f, "invalid number: expected a digit after '.'", p);
        p = digits(p, end);
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        ++p;
        if (p < end && (*p == '+' || *p == '-')) ++p;
        if (p == end || static_cast<unsigned char>(*p - '0') >= 10)
            return fail(f, "invalid number: expected a digit in the exponent", p);
        p = digits(p, end);
    }
    return p;
}

inline byte_ptr scan_literal(byte_ptr p, byte_ptr end, const char* word, std::size_t n, fault& f) noexcept {
    if (static_cast<std::size_t>(end - p) < n || std::memcmp(p, word, n) != 0)
        return fail(f, "invalid literal: expected true, false or null", p);
    return p + n;
}

// A key, the ':' and the whitespace around it; p where the key should start.
inline byte_ptr scan_key(byte_ptr p, byte_ptr end, std::string_view* out, fault& f) noexcept {
    if (p == end || *p != '"') return fail(f, "expected '\"' to start a key", p);
    byte_ptr start = p;
    p = scan_string(p, end, f);
    if (p == nullptr) return nullptr;
    if (out != nullptr)
        *out = std::string_view(reinterpret_cast<const char*>(start + 1), static_cast<std::size_t>(p - start - 2));
    p = skip_ws(p, end);
    if (p == end || *p != ':') return fail(f, "expected ':' after a key", p);
    return skip_ws(p + 1, end);
}

} // namespace detail

// Reads `text` as exactly one JSON object, optionally surrounded by whitespace, and calls
// visit(const member&) for each top-level member. Returns ok, or the first fault's offset and
// reason. `max_depth` bounds the nesting of objects and arrays (see default_max_depth).
template <class Visit>
status read_object(std::string_view text, Visit&& visit, unsigned max_depth = default_max_depth) {
    using detail::byte_ptr;
    if (max_depth > max_depth_limit) max_depth = max_depth_limit;
    if (max_depth == 0) max_depth = 1;
    const byte_ptr begin = reinterpret_cast<byte_ptr>(text.data());
    const byte_ptr end = begin + text.size();
    detail::fault f;
    auto failed = [&](const char* reason, byte_ptr at) {
        return status{reason, static_cast<std::size_t>(at - begin)};
    };
    auto scan_failed = [&] { return failed(f.reason, f.at); };
    // One bit per open container, set for an object: iterative, so deep input cannot overflow
    // the C++ stack, and the depth limit bounds this array (only bits up to depth are read).
    std::uint64_t is_object[max_depth_limit / 64 + 1];

    byte_ptr p = detail::skip_ws(begin, end);
    if (p == end) return failed("empty document: expected a JSON object", p);
    if (*p != '{') return failed("expected '{': the document must be one JSON object", p);
    p = detail::skip_ws(p + 1, end);
    unsigned depth = 1;
    is_object[0] = 2; // depth 1: the top-level object
    member m;
    byte_ptr value_start = nullptr;
    auto emit = [&](json::kind k, byte_ptr value_end) {
        byte_ptr s = value_start;
        if (k == json::kind::string) { ++s; --value_end; }
        m.kind = k;
        m.value = std::string_view(reinterpret_cast<const char*>(s), static_cast<std::size_t>(value_end - s));
        visit(static_cast<const member&>(m));
    };

    bool want_value = true;
    if (p < end && *p == '}') {
        ++p;
        depth = 0;
    } else if ((p = detail::scan_key(p, end, &m.key, f)) == nullptr) {
        return scan_failed();
    }
    while (depth > 0) {
        if (want_value) {
            if (depth == 1) value_start = p;
            int c = p < end ? *p : -1;
            if (c == '{' || c == '[') {
                if (depth >= max_depth) return failed("nested deeper than the depth limit", p);
                ++depth;
                if (depth % 64 == 0) is_object[depth / 64] = 0; // first use of this word
                std::uint64_t bit = std::uint64_t{1} << (depth % 64);
                if (c == '{') is_object[depth / 64] |= bit;
                else is_object[depth / 64] &= ~bit;
                p = detail::skip_ws(p + 1, end);
                if (p < end && *p == (c == '{' ? '}' : ']')) {
                    ++p;
                    want_value = false;
                    if (--depth == 1) emit(c == '{' ? json::kind::object : json::kind::array, p);
                } else if (c == '{' && (p = detail::scan_key(p, end, nullptr, f)) == nullptr) {
                    return scan_failed();
                }
                continue;
            }
            json::kind k;
            switch (c) {
            case '"': k = json::kind::string; p = detail::scan_string(p, end, f); break;
            case 't': k = json::kind::boolean; p = detail::scan_literal(p, end, "true", 4, f); break;
            case 'f': k = json::kind::boolean; p = detail::scan_literal(p, end, "false", 5, f); break;
            case 'n': k = json::kind::null; p = detail::scan_literal(p, end, "null", 4, f); break;
            default:
                if (c != '-' && (c < '0' || c > '9'))
                    return failed(c < 0 ? "unexpected end: expected a value" : "expected a value", p);
                k = json::kind::number;
                p = detail::scan_number(p, end, f);
            }
            if (p == nullptr) return scan_failed();
            if (depth == 1) emit(k, p);
            want_value = false;
            continue;
        }
        p = detail::skip_ws(p, end);
        bool obj = ((is_object[depth / 64] >> (depth % 64)) & 1u) != 0;
        int c = p < end ? *p : -1;
        if (c == ',') {
            p = detail::skip_ws(p + 1, end);
            if (obj && (p = detail::scan_key(p, end, depth == 1 ? &m.key : nullptr, f)) == nullptr)
                return scan_failed();
            want_value = true;
        } else if (c == (obj ? '}' : ']')) {
            ++p;
            if (--depth == 1) emit(obj ? json::kind::object : json::kind::array, p);
        } else if (c < 0) {
            return failed(obj ? "unexpected end: unterminated object" : "unexpected end: unterminated array", p);
        } else {
            return failed(obj ? "expected ',' or '}' after a member" : "expected ',' or ']' after an element", p);
        }
    }
    p = detail::skip_ws(p, end);
    if (p != end) return failed("unexpected text after the object", p);
    return status{};
}

// Checks `text` without visiting anything.
inline status validate_object(std::string_view text, unsigned max_depth = default_max_depth) {
    return read_object(text, [](const member&) {}, max_depth);
}

// ---------------------------------------------------------------- reading values

// A number written as digits only (no sign, fraction or exponent) that fits in 64 bits.
inline bool to_u64(const member& m, std::uint64_t& out) noexcept {
    if (m.kind != kind::number || m.value.empty() || m.value[0] == '-') return false;
    const char* b = m.value.data();
    const char* e = b + m.value.size();
    auto [p, ec] = std::from_chars(b, e, out);
    return ec == std::errc{} && p == e;
}

// A number written as an optional '-' and digits that fits in a signed 64-bit integer.
inline bool to_i64(const member& m, std::int64_t& out) noexcept {
    if (m.kind != kind::number) return false;
    const char* b = m.value.data();
    const char* e = b + m.value.size();
    auto [p, ec] = std::from_chars(b, e, out);
    return ec == std::errc{} && p == e;
}

// Any number within the range of a double (nearest value); false for 1e999.
inline bool to_double(const member& m, double& out) noexcept {
    if (m.kind != kind::number) return false;
    const char* b = m.value.data();
    const char* e = b + m.value.size();
    auto [p, ec] = std::from_chars(b, e, out);
    return ec == std::errc{} && p == e;
}

inline bool to_bool(const member& m, bool& out) noexcept {
    if (m.kind != kind::boolean) return false;
    out = m.value == "true";
    return true;
}

// Decodes the escaped contents of a string (a member's key, or value of kind string) and hands
// the bytes to sink(const char* data, std::size_t size), in pieces. Returns false on a malformed
// escape (never, for text that read_object() accepted).
template <class Sink>
bool unescape(std::string_view raw, Sink&& sink) {
    const char* p = raw.data();
    const char* end = p + raw.size();
    while (p < end) {
        const char* run = p;
        while (p < end && *p != '\\') ++p;
        if (p != run) sink(run, static_cast<std::size_t>(p - run));
        if (p == end) break;
        if (end - p < 2) return false;
        char one = 0;
        switch (p[1]) {
        case '"': one = '"'; break;
        case '\\': one = '\\'; break;
        case '/': one = '/'; break;
        case 'b': one = '\b'; break;
        case 'f': one = '\f'; break;
        case 'n': one = '\n'; break;
        case 'r': one = '\r'; break;
        case 't': one = '\t'; break;
        case 'u': break;
        default: return false;
        }
        if (p[1] != 'u') {
            sink(&one, 1);
            p += 2;
            continue;
        }
        if (end - p < 6) return false;
        long cp = detail::hex4(reinterpret_cast<const unsigned char*>(p + 2));
        if (cp < 0 || (cp >= 0xdc00 && cp <= 0xdfff)) return false;
        p += 6;
        if (cp >= 0xd800 && cp <= 0xdbff) {
            if (end - p < 6 || p[0] != '\\' || p[1] != 'u') return false;
            long lo = detail::hex4(reinterpret_cast<const unsigned char*>(p + 2));
            if (lo < 0xdc00 || lo > 0xdfff) return false;
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            p += 6;
        }
        char u[4];
        std::size_t n;
        if (cp < 0x80) { u[0] = static_cast<char>(cp); n = 1; }
        else if (cp < 0x800) {
            u[0] = static_cast<char>(0xc0 | (cp >> 6));
            u[1] = static_cast<char>(0x80 | (cp & 0x3f));
            n = 2;
        } else if (cp < 0x10000) {
            u[0] = static_cast<char>(0xe0 | (cp >> 12));
            u[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            u[2] = static_cast<char>(0x80 | (cp & 0x3f));
            n = 3;
        } else {
            u[0] = static_cast<char>(0xf0 | (cp >> 18));
            u[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
            u[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            u[3] = static_cast<char>(0x80 | (cp & 0x3f));
            n = 4;
        }
        sink(static_cast<const char*>(u), n);
    }
    return true;
}

inline constexpr std::size_t npos = static_cast<std::size_t>(-1);

// Decodes into out[0, cap): the decoded length, or npos when it does not fit or is malformed.
inline std::size_t unescape(std::string_view raw, char* out, std::size_t cap) noexcept {
    std::size_t n = 0;
    bool fits = true;
    bool ok = unescape(raw, [&](const char* d, std::size_t k) {
        if (!fits || cap - n < k) { fits = false; return; }
        std::memcpy(out + n, d, k);
        n += k;
    });
    return ok && fits ? n : npos;
}

// True when the escaped string contents `raw` decode to exactly `plain` ("p\u0069d" equals "pid").
inline bool equals(std::string_view raw, std::string_view plain) noexcept {
    // Every escape decodes to fewer bytes than it is written with: a raw text of plain's length
    // matches only byte for byte and without escapes, a shorter one never, a longer one only
    // through escapes.
    if (raw.size() == plain.size()) return raw == plain && raw.find('\\') == std::string_view::npos;
    if (raw.size() < plain.size() || raw.find('\\') == std::string_view::npos) return false;
    std::size_t at = 0;
    bool same = true;
    bool ok = unescape(raw, [&](const char* d, std::size_t k) {
        if (!same || plain.size() - at < k || std::memcmp(plain.data() + at, d, k) != 0) {
            same = false;
            return;
        }
        at += k;
    });
    return ok && same && at == plain.size();
}

} // namespace factory::json
