#include "plugins/state_fingerprint.hpp"

#include <factory/hash.hpp>
#include <factory/schema.hpp>

#include <string_view>

namespace factory::plugins {
namespace {

// Little-endian whatever the machine's order: a checkpoint's fingerprint means the same everywhere.
std::uint64_t add_u32(std::uint64_t h, std::uint32_t v) noexcept {
    const char bytes[4] = {static_cast<char>(v & 0xff), static_cast<char>((v >> 8) & 0xff),
                           static_cast<char>((v >> 16) & 0xff), static_cast<char>((v >> 24) & 0xff)};
    return fnv1a(std::string_view(bytes, 4), h);
}

std::uint64_t fingerprint(std::uint32_t size, std::uint32_t align, const factory_pclass* layout) noexcept {
    std::uint64_t h = add_u32(add_u32(fnv1a_offset, size), align);
    if (layout == nullptr || layout->fields == nullptr) return h;
    for (std::uint32_t i = 0; i < layout->field_count; ++i) {
        const factory_field& f = layout->fields[i];
        const std::string_view name = f.name != nullptr ? f.name : "";
        // The 0 byte ends the name, so "ab" + type 1 never hashes as "a" + "b..." would.
        h = fnv1a(std::string_view("", 1), fnv1a(name, h));
        h = add_u32(add_u32(add_u32(h, f.type), f.offset), f.size);
    }
    return h;
}

// The alignment a struct of just these fields has (the largest natural alignment among them): the
// ABI does not carry the older state's alignment, and its fields are all there is of it.
std::uint32_t natural_align(const factory_pclass& layout) noexcept {
    std::uint32_t a = 1;
    for (std::uint32_t i = 0; layout.fields != nullptr && i < layout.field_count; ++i) {
        const std::uint32_t t = layout.fields[i].type;
        // ipv4 and ipv6 are byte arrays, strings char arrays: alignment 1 (field_type_size says 0 or 4/16).
        const std::uint32_t n = t == FACTORY_FIELD_IPV4 || t == FACTORY_FIELD_IPV6 || t == FACTORY_FIELD_STRING
                                    ? 1
                                    : field_type_size(t);
        if (n > a) a = n;
    }
    return a;
}

} // namespace

std::uint64_t state_fingerprint(const factory_descriptor& d) {
    return fingerprint(d.state_size, d.state_align, d.state_layout);
}

std::uint64_t previous_state_fingerprint(const factory_descriptor& d) {
    if (d.state_previous == nullptr) return 0;
    return fingerprint(d.state_previous->record_size, natural_align(*d.state_previous), d.state_previous);
}

} // namespace factory::plugins
