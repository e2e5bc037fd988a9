#include "record_decoder.hpp"

#include "key_rule.hpp"

#include <factory/schema.hpp>
#include <factory/settings.hpp>
#include <factory/util/values.hpp>

#include <arpa/inet.h>

#include <charconv>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <limits>

namespace factory::jsonl {
namespace {

const char* kind_name(record_decoder::value_kind k) noexcept {
    switch (k) {
    case record_decoder::value_kind::string: return "a string";
    case record_decoder::value_kind::number: return "a number";
    case record_decoder::value_kind::boolean: return "a boolean";
    case record_decoder::value_kind::null: return "null";
    case record_decoder::value_kind::other: return "an object or array";
    }
    return "?";
}

template <class T>
bool parse_int(std::string_view text, T& out) noexcept {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

template <class T>
void store(unsigned char* at, T v) noexcept {
    std::memcpy(at, &v, sizeof v);
}

} // namespace

record_decoder::record_decoder(const factory_pclass& layout, int time_exp, std::string_view renames)
    : record_(layout.record_size, 0), seen_(layout.field_count, 0), time_exp_(time_exp) {
    std::string names;
    for (std::uint32_t i = 0; i < layout.field_count; ++i) {
        const factory_field& f = layout.fields[i];
        fields_.push_back(field{f.name, f.name, f.type, f.offset, f.size});
        names += (i > 0 ? ", " : "") + std::string(f.name);
    }
    for (std::string_view rest = renames; !values::trim(rest).empty();) {
        const auto comma = rest.find(',');
        const std::string_view item = values::trim(rest.substr(0, comma));
        const auto eq = item.find('=');
        const std::string_view name = values::trim(item.substr(0, eq));
        const std::string_view member = eq == std::string_view::npos ? std::string_view{} : values::trim(item.substr(eq + 1));
        if (member.empty() || member.find_first_of("\"\\") != std::string_view::npos)
            throw factory::error("setting 'rename': '" + std::string(item) +
                                 "' is not FIELD=MEMBER (a member name without quotes or backslashes); e.g. page=url");
        field* target = nullptr;
        for (auto& f : fields_)
            if (f.name == name) target = &f;
        if (target == nullptr)
            throw factory::error("setting 'rename': '" + std::string(name) + "' is not a field of the blueprint's "
                                 "record (its fields: " + names + ")");
        target->member = std::string(member);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
}

void record_decoder::begin() noexcept {
    std::memset(record_.data(), 0, record_.size());
    std::memset(seen_.data(), 0, seen_.size());
}

bool record_decoder::refuse(std::size_t i, const char* format, ...) noexcept {
    int n = std::snprintf(why_, sizeof why_, "field '%s': ", fields_[i].name.c_str());
    if (n < 0 || static_cast<std::size_t>(n) >= sizeof why_) return false;
    std::va_list args;
    va_start(args, format);
    std::vsnprintf(why_ + n, sizeof why_ - static_cast<std::size_t>(n), format, args);
    va_end(args);
    return false;
}

bool record_decoder::put(std::size_t i, value_kind kind, std::string_view text) noexcept {
    seen_[i] = 1;
    if (kind == value_kind::null) return true; // as if missing: zero
    const field& f = fields_[i];
    unsigned char* at = record_.data() + f.offset;
    switch (f.type) {
    case FACTORY_FIELD_STRING:
        if (kind != value_kind::string) return refuse(i, "expected a string, got %s", kind_name(kind));
        if (text.size() > f.size)
            return refuse(i, "a string of %zu bytes is longer than the field's %u", text.size(), f.size);
        std::memcpy(at, text.data(), text.size());
        return true;
    case FACTORY_FIELD_BOOL:
        if (kind != value_kind::boolean) return refuse(i, "expected true or false, got %s", kind_name(kind));
        *at = text == "true" ? 1 : 0;
        return true;
    case FACTORY_FIELD_IPV4:
    case FACTORY_FIELD_IPV6:
        if (kind != value_kind::string) return refuse(i, "expected an address as a string, got %s", kind_name(kind));
        return put_address(i, text);
    case FACTORY_FIELD_F32:
    case FACTORY_FIELD_F64:
        if (kind != value_kind::number) return refuse(i, "expected a number, got %s", kind_name(kind));
        return put_float(i, text);
    case FACTORY_FIELD_TIME_NS: {
        if (kind != value_kind::number) return refuse(i, "expected a number (a time), got %s", kind_name(kind));
        std::int64_t ns = 0;
        if (!decimal_to_ns(text, time_exp_, ns))
            return refuse(i, "time %.*s is out of the int64 nanosecond range", static_cast<int>(text.size() > 40 ? 40 : text.size()),
                          text.data());
        store(at, ns);
        return true;
    }
    default:
        if (kind != value_kind::number) return refuse(i, "expected an integer, got %s", kind_name(kind));
        return put_integer(i, text);
    }
}

bool record_decoder::put_integer(std::size_t i, std::string_view text) noexcept {
    const field& f = fields_[i];
    unsigned char* at = record_.data() + f.offset;
    const bool is_signed = f.type == FACTORY_FIELD_I8 || f.type == FACTORY_FIELD_I16 || f.type == FACTORY_FIELD_I32 ||
                           f.type == FACTORY_FIELD_I64;
    const int shown = static_cast<int>(text.size() > 40 ? 40 : text.size());
    if (text.find_first_of(".eE") != std::string_view::npos)
        return refuse(i, "expected an integer, got %.*s", shown, text.data());
    if (is_signed) {
        std::int64_t v = 0;
        const std::int64_t lo = f.size == 8 ? INT64_MIN : -(std::int64_t{1} << (f.size * 8 - 1));
        const std::int64_t hi = f.size == 8 ? INT64_MAX : (std::int64_t{1} << (f.size * 8 - 1)) - 1;
        if (!parse_int(text, v) || v < lo || v > hi)
            return refuse(i, "%.*s is out of the range of %s", shown, text.data(), field_type_name(f.type));
        switch (f.size) {
        case 1: store(at, static_cast<std::int8_t>(v)); break;
        case 2: store(at, static_cast<std::int16_t>(v)); break;
        case 4: store(at, static_cast<std::int32_t>(v)); break;
        default: store(at, v); break;
        }
        return true;
    }
    std::uint64_t v = 0;
    const std::uint64_t hi = f.size == 8 ? UINT64_MAX : (std::uint64_t{1} << (f.size * 8)) - 1;
    if (!parse_int(text, v) || v > hi)
        return refuse(i, "%.*s is out of the range of %s", shown, text.data(), field_type_name(f.type));
    switch (f.size) {
    case 1: store(at, static_cast<std::uint8_t>(v)); break;
    case 2: store(at, static_cast<std::uint16_t>(v)); break;
    case 4: store(at, static_cast<std::uint32_t>(v)); break;
    default: store(at, v); break;
    }
    return true;
}

bool record_decoder::put_float(std::size_t i, std::string_view text) noexcept {
    const field& f = fields_[i];
    unsigned char* at = record_.data() + f.offset;
    const int shown = static_cast<int>(text.size() > 40 ? 40 : text.size());
    double v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v))
        return refuse(i, "%.*s is out of the range of %s", shown, text.data(), field_type_name(f.type));
    if (f.type == FACTORY_FIELD_F32) {
        if (std::fabs(v) > static_cast<double>(std::numeric_limits<float>::max()))
            return refuse(i, "%.*s is out of the range of f32", shown, text.data());
        store(at, static_cast<float>(v));
    } else {
        store(at, v);
    }
    return true;
}

bool record_decoder::put_address(std::size_t i, std::string_view text) noexcept {
    const field& f = fields_[i];
    char buf[64];
    const int shown = static_cast<int>(text.size() > 40 ? 40 : text.size());
    if (text.size() >= sizeof buf) return refuse(i, "'%.*s...' is not an %s address", shown, text.data(), field_type_name(f.type));
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    const int family = f.type == FACTORY_FIELD_IPV4 ? AF_INET : AF_INET6;
    if (::inet_pton(family, buf, record_.data() + f.offset) != 1)
        return refuse(i, "'%s' is not an %s address", buf, field_type_name(f.type));
    return true;
}

} // namespace factory::jsonl
