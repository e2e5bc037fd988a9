// Typed, read-only access to a plugin's settings as the host hands them to on_open.
// Every value has already been checked by the host against the descriptor, so the getters only
// fail when a plugin asks for a key it did not declare (a programming error: they throw
// factory::error, which the C++ layer turns into FACTORY_ERROR from on_open).
#pragma once

#include <factory/abi.h>
#include <factory/util/values.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace factory {

// Thrown by plugin code at open time; the C++ layer catches it and reports its message.
class error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Declares one setting in a plugin's descriptor.
struct setting {
    const char* key;
    std::uint32_t type;         // FACTORY_SETTING_*
    const char* default_value;  // nullptr: required
    const char* help;
    const char* choices = nullptr; // FACTORY_SETTING_ENUM: "a|b|c"
    std::uint32_t flags = 0;       // FACTORY_SETTING_EVENT_TIME (sources): see <factory/abi.h>
};

class settings {
public:
    explicit settings(const factory_settings* raw) noexcept : raw_(raw) {}

    bool has(std::string_view key) const noexcept { return find(key) != nullptr; }

    std::string_view text(std::string_view key) const {
        const char* v = find(key);
        if (v == nullptr) throw error("setting '" + std::string(key) + "' was not provided by the host");
        return v;
    }
    std::string string(std::string_view key) const { return std::string(text(key)); }

    std::int64_t integer(std::string_view key) const {
        std::int64_t v = 0;
        if (!values::parse_int(text(key), v)) throw bad(key, "an integer");
        return v;
    }
    std::uint64_t uinteger(std::string_view key) const {
        std::uint64_t v = 0;
        if (!values::parse_uint(text(key), v)) throw bad(key, "a non-negative integer");
        return v;
    }
    double real(std::string_view key) const {
        double v = 0;
        if (!values::parse_double(text(key), v)) throw bad(key, "a number");
        return v;
    }
    bool boolean(std::string_view key) const {
        bool v = false;
        if (!values::parse_bool(text(key), v)) throw bad(key, "true or false");
        return v;
    }
    std::int64_t duration_ns(std::string_view key) const {
        std::int64_t v = 0;
        if (!values::parse_duration_ns(text(key), v)) throw bad(key, "a duration");
        return v;
    }
    std::uint64_t size_bytes(std::string_view key) const {
        std::uint64_t v = 0;
        if (!values::parse_size(text(key), v)) throw bad(key, "a size");
        return v;
    }

private:
    const char* find(std::string_view key) const noexcept {
        if (raw_ == nullptr) return nullptr;
        for (std::uint32_t i = 0; i < raw_->count; ++i)
            if (key == raw_->keys[i]) return raw_->values[i];
        return nullptr;
    }
    error bad(std::string_view key, const char* want) const {
        return error("setting '" + std::string(key) + "' wants " + want + ", got '" +
                     std::string(text(key)) + "'");
    }

    const factory_settings* raw_;
};

} // namespace factory
