#include "plugins/setting_types.hpp"

#include <factory/abi.h>
#include <factory/util/values.hpp>

namespace factory::plugins {

bool check_form(std::uint32_t type, std::string_view value, const char* choices) noexcept {
    switch (type) {
    case FACTORY_SETTING_STRING: return true;
    case FACTORY_SETTING_INT: { std::int64_t v; return values::parse_int(value, v); }
    case FACTORY_SETTING_UINT: { std::uint64_t v; return values::parse_uint(value, v); }
    case FACTORY_SETTING_FLOAT: { double v; return values::parse_double(value, v); }
    case FACTORY_SETTING_BOOL: { bool v; return values::parse_bool(value, v); }
    case FACTORY_SETTING_DURATION: { std::int64_t v; return values::parse_duration_ns(value, v); }
    case FACTORY_SETTING_SIZE: { std::uint64_t v; return values::parse_size(value, v); }
    case FACTORY_SETTING_ENUM: return choices != nullptr && values::is_choice(value, choices);
    case FACTORY_SETTING_PATH_IN:
    case FACTORY_SETTING_PATH_OUT: return !values::trim(value).empty();
    default: return false;
    }
}

const char* describe_type(std::uint32_t type) noexcept {
    switch (type) {
    case FACTORY_SETTING_STRING: return "text";
    case FACTORY_SETTING_INT: return "an integer";
    case FACTORY_SETTING_UINT: return "a non-negative integer";
    case FACTORY_SETTING_FLOAT: return "a number";
    case FACTORY_SETTING_BOOL: return "true or false";
    case FACTORY_SETTING_DURATION: return "a duration such as 500ms, 5s or 2m";
    case FACTORY_SETTING_SIZE: return "a size such as 4096, 64KiB or 1MiB";
    case FACTORY_SETTING_ENUM: return "one of its choices";
    case FACTORY_SETTING_PATH_IN: return "a readable file";
    case FACTORY_SETTING_PATH_OUT: return "a path to write";
    default: return "a value of an unknown type";
    }
}

bool optional_path(const factory_setting_spec& s) noexcept {
    return (s.type == FACTORY_SETTING_PATH_IN || s.type == FACTORY_SETTING_PATH_OUT) && s.default_value != nullptr &&
           *s.default_value == '\0';
}

const char* type_name(std::uint32_t type) noexcept {
    switch (type) {
    case FACTORY_SETTING_STRING: return "string";
    case FACTORY_SETTING_INT: return "int";
    case FACTORY_SETTING_UINT: return "uint";
    case FACTORY_SETTING_FLOAT: return "float";
    case FACTORY_SETTING_BOOL: return "bool";
    case FACTORY_SETTING_DURATION: return "duration";
    case FACTORY_SETTING_SIZE: return "size";
    case FACTORY_SETTING_ENUM: return "enum";
    case FACTORY_SETTING_PATH_IN: return "file";
    case FACTORY_SETTING_PATH_OUT: return "output";
    default: return "?";
    }
}

} // namespace factory::plugins
