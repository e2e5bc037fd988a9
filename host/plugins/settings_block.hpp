// The C arrays of a factory_settings, as on_open takes them, built from checked settings.
#pragma once

#include "plugins/settings_check.hpp"

#include <factory/abi.h>

#include <string>
#include <vector>

namespace factory::plugins {

// Owns the text and the key/value pointer arrays that get() points into. Not copyable (a copy
// would point into the original); moving keeps get()'s pointers valid, since the strings and arrays
// stay where they are.
class settings_block {
public:
    explicit settings_block(resolved_settings settings);
    settings_block(const settings_block&) = delete;
    settings_block& operator=(const settings_block&) = delete;
    settings_block(settings_block&&) noexcept = default;
    settings_block& operator=(settings_block&&) noexcept = default;

    // Valid while this block lives.
    const factory_settings* get() const noexcept { return &raw_; }
    const resolved_settings& settings() const noexcept { return settings_; }

private:
    resolved_settings settings_;
    std::vector<const char*> keys_;
    std::vector<const char*> values_;
    factory_settings raw_{};
};

} // namespace factory::plugins
