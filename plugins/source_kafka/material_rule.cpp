#include "material_rule.hpp"

#include <factory/hash.hpp>
#include <factory/settings.hpp>
#include <factory/util/json.hpp>
#include <factory/util/values.hpp>

#include <charconv>
#include <cstdint>
#include <cstdio>

namespace factory::kafka {

std::uint64_t pid_of_key(std::string_view key) noexcept {
    bool digits = !key.empty() && key.size() <= 20;
    for (char c : key)
        if (c < '0' || c > '9') digits = false;
    std::uint64_t v = 0;
    if (digits) {
        auto r = std::from_chars(key.data(), key.data() + key.size(), v);
        if (r.ec == std::errc() && r.ptr == key.data() + key.size()) return v;
    }
    return factory::fnv1a(key);
}

material_rule::material_rule(std::string_view key, std::string_view time, std::string_view time_unit,
                             std::string_view format) {
    key = values::trim(key);
    time = values::trim(time);
    if (time.empty()) time_ = time_source::none;
    else if (time == "message") time_ = time_source::message;
    else {
        time_ = time_source::field;
        time_field_ = std::string(time);
    }
    if (key.empty())
        throw factory::error("setting 'key' is empty: write message (the message key) or the JSON field(s) of the "
                             "value that hold the pid");
    if (key != "message")
        fields_.emplace(key, time_ == time_source::field ? time : std::string_view{}, time_unit);
    // The unit check is the jsonl rule's own; key=message still needs the exponent for a time field.
    jsonl::key_rule unit_check("pid", "", time_unit);
    (void)unit_check;
    if (time_unit == "s") time_exp_ = 9;
    else if (time_unit == "ms") time_exp_ = 6;
    else if (time_unit == "us") time_exp_ = 3;
    else time_exp_ = 0;
    if (format == "json") format_ = value_format::json;
    else if (format == "bytes") format_ = value_format::bytes;
    else if (format == "auto") format_ = value_format::automatic;
    else throw factory::error("setting 'format': '" + std::string(format) + "' is not one of auto, json, bytes");
}

bool material_rule::read_time_field(std::string_view value, std::int64_t& out, char* why,
                                    std::size_t why_size) const {
    json::member found;
    bool have = false;
    json::status st = json::read_object(value, [&](const json::member& m) {
        if (!have && json::equals(m.key, time_field_)) {
            found = m;
            have = true;
        }
    });
    if (!st) {
        std::snprintf(why, why_size, "value is not a JSON object (invalid JSON at byte %zu: %s), so it has no time "
                      "field '%s'", st.offset, st.reason, time_field_.c_str());
        return false;
    }
    if (!have) {
        std::snprintf(why, why_size, "no time field '%s'", time_field_.c_str());
        return false;
    }
    if (found.kind != json::kind::number) {
        std::snprintf(why, why_size, "time field '%s' is not a number", time_field_.c_str());
        return false;
    }
    if (!jsonl::decimal_to_ns(found.value, time_exp_, out)) {
        std::snprintf(why, why_size, "time field '%s' is out of range", time_field_.c_str());
        return false;
    }
    return true;
}

bool material_rule::read(const void* key, std::size_t key_size, std::string_view value, std::int64_t timestamp_ms,
                         result& out, char* why, std::size_t why_size) const {
    out.time_ns = 0;
    bool json_checked = false; // the value was read as one JSON object on the way
    if (fields_) {
        if (!fields_->read(value, out.pid, out.time_ns, why, why_size)) return false;
        json_checked = true;
    } else {
        if (key == nullptr || key_size == 0) {
            std::snprintf(why, why_size, "%s message key (key=message takes the pid from it; or name the JSON "
                          "field(s) of the value that hold it, key=FIELD)", key == nullptr ? "no" : "an empty");
            return false;
        }
        out.pid = pid_of_key(std::string_view(static_cast<const char*>(key), key_size));
        if (time_ == time_source::field) {
            if (!read_time_field(value, out.time_ns, why, why_size)) return false;
            json_checked = true;
        }
    }
    if (time_ == time_source::message && timestamp_ms > 0 && timestamp_ms < INT64_MAX / 1'000'000)
        out.time_ns = timestamp_ms * 1'000'000;

    switch (format_) {
    case value_format::bytes: out.format = FACTORY_FORMAT_BYTES; break;
    case value_format::automatic:
        out.format = json_checked || json::validate_object(value) ? FACTORY_FORMAT_JSON : FACTORY_FORMAT_BYTES;
        break;
    case value_format::json:
        if (!json_checked) {
            json::status st = json::validate_object(value);
            if (!st) {
                std::snprintf(why, why_size, "value is not a JSON object (invalid JSON at byte %zu: %s); format=json "
                              "wants one, format=auto passes other values on as bytes", st.offset, st.reason);
                return false;
            }
        }
        out.format = FACTORY_FORMAT_JSON;
        break;
    }
    return true;
}

} // namespace factory::kafka
