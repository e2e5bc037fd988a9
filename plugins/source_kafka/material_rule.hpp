// How the kafka source turns one message into a material: its pid, its time, its format.
//
// key=message (the default): the pid comes from the message key. A key of digits only (at most 20,
// below 2^64) is the pid itself, as a lone numeric key field is in the jsonl source; any other key
// is hashed, FNV-1a 64 of its bytes (factory::fnv1a, <factory/hash.hpp>). A message without a key,
// or with an empty one, is rejected.
// key=FIELD[,FIELD...]: the pid comes from the value, a JSON object, by the jsonl source's key rule
// (plugins/source_jsonl/key_rule.hpp, the same code): a value that is not one JSON object or
// lacks a key field is rejected.
//
// time="" (the default): none, the purchase time. time=message: the message timestamp (ms).
// time=FIELD: a numeric field of the JSON value, in time_unit, read as the jsonl source reads it.
//
// format=auto: FACTORY_FORMAT_JSON when the value is one JSON object, else FACTORY_FORMAT_BYTES;
// format=json: a value that is not one JSON object is rejected; format=bytes: always BYTES.
#pragma once

#include "key_rule.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace factory::kafka {

class material_rule {
public:
    struct result {
        std::uint64_t pid = 0;
        std::int64_t time_ns = 0; // 0: none (the host uses the purchase time)
        std::uint16_t format = 0;
    };

    // The settings key, time, time_unit and format. Throws factory::error naming a bad one.
    material_rule(std::string_view key, std::string_view time, std::string_view time_unit, std::string_view format);

    // `key` is nullptr for a message without a key. On success fills `out` and returns true;
    // otherwise writes why (NUL-terminated, at most why_size bytes) and returns false. No allocation.
    bool read(const void* key, std::size_t key_size, std::string_view value, std::int64_t timestamp_ms, result& out,
              char* why, std::size_t why_size) const;

    bool key_from_message() const noexcept { return !fields_.has_value(); }

private:
    enum class time_source : std::uint8_t { none, message, field };
    enum class value_format : std::uint8_t { automatic, json, bytes };

    bool read_time_field(std::string_view value, std::int64_t& out, char* why, std::size_t why_size) const;

    // key=FIELD...: the jsonl rule (with the time field, if any); mutable: it holds its parser's
    // state (simdjson), which reading changes.
    mutable std::optional<jsonl::key_rule> fields_;
    time_source time_ = time_source::none;
    std::string time_field_;
    int time_exp_ = 9;
    value_format format_ = value_format::automatic;
};

// The pid of a message key (not empty): digits only and below 2^64: the number; otherwise FNV-1a 64.
std::uint64_t pid_of_key(std::string_view key) noexcept;

} // namespace factory::kafka
