// A plugin the host has loaded: a shared library that passed the version handshake and whose
// descriptor was checked (host/plugins/loader.hpp). What the descriptor promises can be relied on
// from here on: its name is [a-z0-9_]+, its kind matches its hooks table, its settings have known
// types and well-formed defaults, a blueprint's product classes are consistent.
//
// Lifetime: the descriptor and every pointer in it belong to the library, which is never unloaded
// (see loader.hpp), so a `plugin` may be copied freely and kept for the life of the process.
#pragma once

#include <factory/abi.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string_view>

namespace factory::plugins {

enum class kind : std::uint32_t {
    source = FACTORY_KIND_SOURCE,
    blueprint = FACTORY_KIND_BLUEPRINT,
    exporter = FACTORY_KIND_EXPORTER
};

// "source", "blueprint", "exporter"; "unknown" for any other value.
const char* to_string(kind k) noexcept;

// The kind a descriptor's raw value names, or nothing when it names none.
std::optional<kind> kind_from_raw(std::uint32_t raw) noexcept;

// A plugin file that cannot be used, or a plugin that cannot be found. The message is one line:
// it names the file (or the folders searched) and says what to do.
class load_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct plugin {
    std::filesystem::path file;                    // absolute, as loaded
    const factory_descriptor* descriptor = nullptr; // checked; owned by the library

    kind type() const noexcept { return static_cast<kind>(descriptor->kind); }
    std::string_view name() const noexcept { return descriptor->name; }
    std::string_view version() const noexcept { return descriptor->version; }
    std::string_view description() const noexcept { return descriptor->description; }
};

} // namespace factory::plugins
