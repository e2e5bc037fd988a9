#include "byte_count.hpp"

#include <factory/formats.h>
#include <factory/json.hpp>

#include <utility>

namespace example::sessions {
namespace {

template <class T>
const T& payload_as(const factory::material& m, const char* format) {
    const T* p = m.as<T>();
    if (p == nullptr)
        throw factory::error(std::string(format) + " material of " + std::to_string(m.size()) +
                             " bytes is too short for its record of " + std::to_string(sizeof(T)) +
                             "; the source that made it is broken");
    return *p;
}

} // namespace

byte_counter::byte_counter(std::string bytes_field) : bytes_field_(std::move(bytes_field)) {}

std::uint64_t byte_counter::bytes_of(const factory::material& m) const {
    switch (m.format()) {
    case FACTORY_FORMAT_FLOW4: return payload_as<factory_flow4>(m, "FLOW4").bytes;
    case FACTORY_FORMAT_PACKET: return payload_as<factory_packet>(m, "PACKET").wire_length;
    case FACTORY_FORMAT_JSON: return json_bytes(m);
    default: return m.size();
    }
}

std::uint64_t byte_counter::json_bytes(const factory::material& m) const {
    factory::json::member found;
    bool have = false;
    const factory::json::status st = factory::json::read_object(m.text(), [&](const factory::json::member& mb) {
        if (!have && !bytes_field_.empty() && factory::json::equals(mb.key, bytes_field_)) {
            found = mb;
            have = true;
        }
    });
    if (!st)
        throw factory::error("JSON material is invalid at byte " + std::to_string(st.offset) + ": " + st.reason);
    if (bytes_field_.empty()) return m.size();
    if (!have)
        throw factory::error("JSON material has no field '" + bytes_field_ +
                             "' (setting bytes_field); set bytes_field to the field holding the byte "
                             "count, or to nothing to count the text's length");
    std::uint64_t bytes = 0;
    if (!factory::json::to_u64(found, bytes))
        throw factory::error("JSON material's field '" + bytes_field_ + "' (setting bytes_field) holds " +
                             factory::json::to_string(found.kind) + " '" +
                             std::string(found.value.substr(0, 40)) + "', not a non-negative integer");
    return bytes;
}

} // namespace example::sessions
