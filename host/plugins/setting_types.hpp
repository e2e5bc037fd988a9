// What the host knows about each setting type (enum factory_setting_type): whether a value has the
// type's form, how to describe the type in an error, its short name in listings. Host-only: a
// plugin reads already-checked values through <factory/settings.hpp>.
#pragma once

#include <factory/abi.h>

#include <cstdint>
#include <string_view>

namespace factory::plugins {

// Checks the form of `value` for `type` (not the file system: settings_check does that for
// paths). `choices` is the enum's "a|b|c" (FACTORY_SETTING_ENUM only).
bool check_form(std::uint32_t type, std::string_view value, const char* choices) noexcept;

// What a value of `type` looks like, for error messages: "wants <this>, got 'x'".
const char* describe_type(std::uint32_t type) noexcept;

// A PATH_IN or PATH_OUT whose default is "": optional, an empty value means "not given" (abi.h).
bool optional_path(const factory_setting_spec& s) noexcept;

// Short type name for listings ("plugins NAME"); "?" for an unknown type.
const char* type_name(std::uint32_t type) noexcept;

} // namespace factory::plugins
