#include "material_reader.hpp"

#include <factory/formats.h>
#include <factory/util/json.hpp>
#include <factory/util/values.hpp>

#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <utility>

namespace factory::widget {
namespace {

std::uint8_t protocol_of(const json::member& m) noexcept {
    if (m.kind == json::kind::number) {
        std::uint64_t v = 0;
        return json::to_u64(m, v) && v <= 255 ? static_cast<std::uint8_t>(v) : 0;
    }
    if (m.kind != json::kind::string) return 0;
    char name[8];
    std::size_t n = json::unescape(m.value, name, sizeof name);
    if (n == json::npos) return 0;
    std::string_view s(name, n);
    if (values::equals_nocase(s, "tcp")) return ip_tcp;
    if (values::equals_nocase(s, "udp")) return ip_udp;
    if (values::equals_nocase(s, "icmp")) return ip_icmp;
    return 0;
}

bool bytes_of(const json::member& m, std::uint64_t& out) noexcept {
    if (json::to_u64(m, out)) return true;
    double d = 0;
    // 1.8446744073709552e19 is 2^64: the first double that does not fit.
    if (!json::to_double(m, d) || !(d >= 0) || d >= 1.8446744073709552e19 || std::floor(d) != d)
        return false;
    out = static_cast<std::uint64_t>(d);
    return true;
}

} // namespace

material_reader::material_reader(std::string bytes_field, std::string protocol_field)
    : bytes_field_(std::move(bytes_field)), protocol_field_(std::move(protocol_field)) {
    if (bytes_field_.empty())
        throw factory::error("setting 'bytes_field' is empty; name the JSON field holding the byte count");
}

bool material_reader::fail(const char* format, ...) noexcept {
    std::va_list args;
    va_start(args, format);
    std::vsnprintf(why_, sizeof why_, format, args);
    va_end(args);
    return false;
}

bool material_reader::read(const factory::material& m, observation& out) noexcept {
    if (m.format() == FACTORY_FORMAT_FLOW4) {
        const auto* f = m.as<factory_flow4>();
        if (f == nullptr)
            return fail("FLOW4 material of %u bytes; it needs %zu", unsigned{m.size()}, sizeof(factory_flow4));
        out = observation{f->bytes, f->protocol};
        return true;
    }
    if (m.format() == FACTORY_FORMAT_JSON) return read_json(m, out);
    return fail("material format %u is not one widget reads (FLOW4 or JSON); use a source that makes those",
                unsigned{m.format()});
}

bool material_reader::read_json(const factory::material& m, observation& out) noexcept {
    json::member bytes_member, protocol_member;
    bool have_bytes = false, have_protocol = false;
    const bool want_protocol = !protocol_field_.empty();
    json::status st = json::read_object(m.text(), [&](const json::member& mb) {
        if (!have_bytes && json::equals(mb.key, bytes_field_)) {
            bytes_member = mb;
            have_bytes = true;
        } else if (want_protocol && !have_protocol && json::equals(mb.key, protocol_field_)) {
            protocol_member = mb;
            have_protocol = true;
        }
    });
    if (!st) return fail("JSON material is invalid at byte %zu: %s", std::size_t{st.offset}, st.reason);
    observation o;
    if (!have_bytes)
        return fail("JSON material has no field '%s' (setting bytes_field) for its byte count", bytes_field_.c_str());
    if (!bytes_of(bytes_member, o.bytes)) {
        const std::string_view value = bytes_member.value.substr(0, 40);
        return fail("JSON material's field '%s' (setting bytes_field) holds %s '%.*s', not a non-negative integer "
                    "byte count",
                    bytes_field_.c_str(), json::to_string(bytes_member.kind), static_cast<int>(value.size()),
                    value.data());
    }
    if (have_protocol) o.protocol = protocol_of(protocol_member);
    out = o;
    return true;
}

} // namespace factory::widget
