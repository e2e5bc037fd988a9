#include "byte_count.hpp"

#include <factory/formats.h>
#include <factory/util/json.hpp>

#include <cstdarg>
#include <cstdio>
#include <utility>

namespace example::sessions {

byte_counter::byte_counter(std::string bytes_field) : bytes_field_(std::move(bytes_field)) {}

bool byte_counter::fail(const char* format, ...) noexcept {
    std::va_list args;
    va_start(args, format);
    std::vsnprintf(why_, sizeof why_, format, args);
    va_end(args);
    return false;
}

bool byte_counter::bytes_of(const factory::material& m, std::uint64_t& out) noexcept {
    const char* format = m.format() == FACTORY_FORMAT_FLOW4 ? "FLOW4" : "PACKET";
    std::size_t need = 0;
    switch (m.format()) {
    case FACTORY_FORMAT_FLOW4:
        if (const auto* f = m.as<factory_flow4>()) { out = f->bytes; return true; }
        need = sizeof(factory_flow4);
        break;
    case FACTORY_FORMAT_PACKET:
        if (const auto* p = m.as<factory_packet>()) { out = p->wire_length; return true; }
        need = sizeof(factory_packet);
        break;
    case FACTORY_FORMAT_JSON: return json_bytes(m, out);
    default: out = m.size(); return true;
    }
    return fail("%s material of %u bytes is too short for its record of %zu; the source that made it is broken",
                format, unsigned{m.size()}, need);
}

bool byte_counter::json_bytes(const factory::material& m, std::uint64_t& out) noexcept {
    factory::json::member found;
    bool have = false;
    const factory::json::status st = factory::json::read_object(m.text(), [&](const factory::json::member& mb) {
        if (!have && !bytes_field_.empty() && factory::json::equals(mb.key, bytes_field_)) {
            found = mb;
            have = true;
        }
    });
    if (!st) return fail("JSON material is invalid at byte %zu: %s", std::size_t{st.offset}, st.reason);
    if (bytes_field_.empty()) {
        out = m.size();
        return true;
    }
    if (!have)
        return fail("JSON material has no field '%s' (setting bytes_field); set bytes_field to the field holding "
                    "the byte count, or to nothing to count the text's length",
                    bytes_field_.c_str());
    if (!factory::json::to_u64(found, out)) {
        const std::string_view value = found.value.substr(0, 40);
        return fail("JSON material's field '%s' (setting bytes_field) holds %s '%.*s', not a non-negative integer",
                    bytes_field_.c_str(), factory::json::to_string(found.kind), static_cast<int>(value.size()),
                    value.data());
    }
    return true;
}

} // namespace example::sessions
