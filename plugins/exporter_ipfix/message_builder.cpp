#include "message_builder.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

namespace factory::ipfix {

namespace {

constexpr std::int64_t ns_per_s = 1'000'000'000;
// Seconds from the NTP epoch (1900-01-01) to the Unix epoch.
constexpr std::uint64_t ntp_offset = 2'208'988'800;

void put(unsigned char* p, std::uint64_t v, std::size_t n) noexcept {
    for (std::size_t i = n; i-- > 0;) {
        p[i] = static_cast<unsigned char>(v);
        v >>= 8;
    }
}

std::uint64_t read_unsigned(const unsigned char* at, std::uint32_t size) noexcept {
    switch (size) {
    case 1: return at[0];
    case 2: { std::uint16_t v; std::memcpy(&v, at, 2); return v; }
    case 4: { std::uint32_t v; std::memcpy(&v, at, 4); return v; }
    default: { std::uint64_t v; std::memcpy(&v, at, 8); return v; }
    }
}

std::int64_t read_signed(const unsigned char* at, std::uint32_t size) noexcept {
    switch (size) {
    case 1: { std::int8_t v; std::memcpy(&v, at, 1); return v; }
    case 2: { std::int16_t v; std::memcpy(&v, at, 2); return v; }
    case 4: { std::int32_t v; std::memcpy(&v, at, 4); return v; }
    default: { std::int64_t v; std::memcpy(&v, at, 8); return v; }
    }
}

std::int64_t read_ns(const unsigned char* at) noexcept {
    std::int64_t v;
    std::memcpy(&v, at, 8);
    return v;
}

// Times before the Unix epoch cannot be written in the unsigned dateTime types: they are written
// as the epoch.
std::uint64_t floor_div(std::int64_t ns, std::int64_t unit) noexcept {
    return ns <= 0 ? 0 : static_cast<std::uint64_t>(ns / unit);
}

// NTP timestamp: 32-bit seconds since 1900 (wrapping in 2036, as NTP era 1 does), 32-bit fraction.
std::uint64_t ntp(std::int64_t ns, bool micro) noexcept {
    if (ns < 0) ns = 0;
    std::uint64_t secs = static_cast<std::uint64_t>(ns / ns_per_s) + ntp_offset;
    std::uint64_t sub = static_cast<std::uint64_t>(ns % ns_per_s);
    std::uint64_t frac = (sub << 32) / ns_per_s;
    if (micro) frac &= ~std::uint64_t{0x7ff}; // RFC 7011 6.1.9: microsecond resolution
    return (secs & 0xffffffffu) << 32 | frac;
}

std::size_t string_length(const unsigned char* at, std::uint32_t size) noexcept {
    const void* nul = std::memchr(at, 0, size);
    return nul != nullptr ? static_cast<std::size_t>(static_cast<const unsigned char*>(nul) - at) : size;
}

} // namespace

unsigned char* encode_record(const layout& l, const unsigned char* record, unsigned char* out) noexcept {
    for (const column& c : l.columns) {
        const unsigned char* at = record + c.field->offset;
        switch (c.enc) {
        case encoding::unsigned_int: put(out, read_unsigned(at, c.field->size), c.length); break;
        case encoding::signed_int: put(out, static_cast<std::uint64_t>(read_signed(at, c.field->size)), 8); break;
        case encoding::float64: {
            double v;
            if (c.field->size == 4) {
                float narrow;
                std::memcpy(&narrow, at, 4);
                v = narrow; // every float is exactly a double
            } else {
                std::memcpy(&v, at, 8);
            }
            std::uint64_t bits;
            std::memcpy(&bits, &v, 8);
            put(out, bits, 8);
            break;
        }
        case encoding::boolean: *out = *at != 0 ? 1 : 2; break;
        case encoding::ipv4: std::memcpy(out, at, 4); break;
        case encoding::ipv6: std::memcpy(out, at, 16); break;
        case encoding::ipv6_as_ipv4: std::memcpy(out, is_ipv4_mapped(at) ? at + 12 : at, 4); break;
        case encoding::string: {
            std::size_t n = string_length(at, c.field->size);
            if (n < 255) {
                *out++ = static_cast<unsigned char>(n);
            } else {
                *out++ = 255;
                put(out, n, 2);
                out += 2;
            }
            std::memcpy(out, at, n);
            out += n;
            continue;
        }
        case encoding::seconds: {
            std::uint64_t s = floor_div(read_ns(at), ns_per_s);
            put(out, s > 0xffffffffu ? 0xffffffffu : s, 4);
            break;
        }
        case encoding::millis: put(out, floor_div(read_ns(at), 1'000'000), 8); break;
        case encoding::micros: put(out, ntp(read_ns(at), true), 8); break;
        case encoding::nanos: put(out, ntp(read_ns(at), false), 8); break;
        }
        out += c.length;
    }
    return out;
}

// The header's length field has 16 bits: a larger buffer could never be sent whole.
message_builder::message_builder(std::size_t max_size) : buf_(std::min<std::size_t>(max_size, 65535)) {}

void message_builder::begin() noexcept {
    used_ = message_header_size;
    set_start_ = 0;
    set_id_ = 0;
    records_ = 0;
}

void message_builder::close_set() noexcept {
    if (set_start_ == 0) return;
    put(&buf_[set_start_ + 2], used_ - set_start_, 2);
    set_start_ = 0;
    set_id_ = 0;
}

bool message_builder::add_templates(std::span<const layout* const> layouts) noexcept {
    std::size_t need = set_header_size;
    for (const layout* l : layouts) need += l->template_size();
    if (used_ + need > buf_.size()) return false;
    close_set();
    unsigned char* p = &buf_[used_];
    put(p, 2, 2);
    put(p + 2, need, 2);
    p += set_header_size;
    for (const layout* l : layouts) {
        put(p, l->template_id, 2);
        put(p + 2, l->columns.size(), 2);
        p += 4;
        for (const column& c : l->columns) {
            put(p, c.enterprise != 0 ? (c.id | 0x8000u) : c.id, 2);
            put(p + 2, c.length, 2);
            p += 4;
            if (c.enterprise != 0) {
                put(p, c.enterprise, 4);
                p += 4;
            }
        }
    }
    used_ += need;
    return true;
}

std::size_t message_builder::record_size(const layout& l, const unsigned char* record) noexcept {
    if (l.largest_size == l.fixed_size) return l.fixed_size;
    std::size_t n = l.fixed_size;
    for (const column& c : l.columns) {
        if (c.length != variable_length) continue;
        std::size_t len = string_length(record + c.field->offset, c.field->size);
        n += len + (len < 255 ? 1 : 3);
    }
    return n;
}

bool message_builder::add_record(const layout& l, const unsigned char* record) noexcept {
    std::size_t need = record_size(l, record);
    bool new_set = set_start_ == 0 || set_id_ != l.template_id;
    if (used_ + need + (new_set ? set_header_size : 0) > buf_.size()) return false;
    if (new_set) {
        close_set();
        set_start_ = used_;
        set_id_ = l.template_id;
        put(&buf_[used_], l.template_id, 2);
        used_ += set_header_size;
    }
    used_ = static_cast<std::size_t>(encode_record(l, record, &buf_[used_]) - buf_.data());
    ++records_;
    return true;
}

std::span<const unsigned char> message_builder::finish(std::uint32_t export_time, std::uint32_t sequence,
                                                       std::uint32_t domain) noexcept {
    close_set();
    unsigned char* h = buf_.data();
    put(h, 10, 2);
    put(h + 2, used_, 2);
    put(h + 4, export_time, 4);
    put(h + 8, sequence, 4);
    put(h + 12, domain, 4);
    return {buf_.data(), used_};
}

} // namespace factory::ipfix
