// The jsonl source: one JSON object per line from a file or stdin; each line becomes one
// material holding the line's text (FACTORY_FORMAT_JSON), keyed by the rule in key_rule.hpp.
//
// Lines: "\n" or "\r\n" ends a line; a last line without an end is read; blank lines (only
// spaces, tabs) are skipped but counted. A line that is not one JSON object, lacks a key field
// or the time field, or is longer than the largest material (filler::max_size()) is rejected
// through filler::reject() as "line N: <reason>" with the line's bytes (for a too long line, its
// first max_size bytes), and reading goes on. The rest of a too long line is dropped a block at a
// time, looking at host::stopping() between blocks: a line that never ends (/dev/zero) does not
// keep a run from stopping.
//
// Typed materials: when the run's blueprint declares a material layout (and typed=true, the
// default), each line is decoded in the same simdjson walk into that record (record_decoder.hpp)
// and added as FACTORY_FORMAT_RECORD; a field that does not fit dead-letters the line as
// "line N: field 'NAME': <why>".
#pragma once

#include "key_rule.hpp"
#include "line_reader.hpp"
#include "record_decoder.hpp"

#include <factory/source.hpp>

#include <memory>

namespace factory::jsonl {

class jsonl_source : public factory::source {
public:
    static constexpr factory::info info{"jsonl", "1.0.0",
                                        "JSON objects, one per line, from a file or stdin"};
    static constexpr const char* notes =
        "Each line is one material (FACTORY_FORMAT_JSON). A line that is not one JSON object, lacks a key\n"
        "or time field, or is longer than --max-material is dead-lettered as \"line N: <reason>\".\n"
        "With check=fields (the default) the values of members other than the key and time are\n"
        "skipped by simdjson, not checked; check=all checks every value.\n"
        "With time= set, materials carry event time and the run uses the material clock unless\n"
        "--clock wall.\n"
        "Checkpoints: resumable from a file (byte offset and line number); not from stdin.\n"
        "Typed materials: with a blueprint that declares the fields it reads, each line is decoded once\n"
        "into that record (top-level members by field name; missing or null: zero; a string longer than\n"
        "its field, or a value of the wrong type, dead-letters the line naming the field).";
    // It decodes lines into the blueprint's material layout (typed materials).
    static constexpr bool fills_records = true;
    static inline const factory::setting settings[] = {
        {"file", FACTORY_SETTING_PATH_IN, "-", "file of JSON lines to read; -: stdin"},
        {"key", FACTORY_SETTING_STRING, "pid",
         "field(s) giving the pid, comma-separated; one field holding a non-negative integer is "
         "the pid itself, anything else is hashed: FNV-1a 64 of the values (strings unescaped, "
         "numbers as written) joined by 0x1f"},
        {"time", FACTORY_SETTING_STRING, "",
         "numeric field giving the event time (since the Unix epoch, in time_unit); empty: none, "
         "the purchase time is used; set: the run uses the material clock unless --clock wall",
         nullptr, FACTORY_SETTING_EVENT_TIME},
        {"time_unit", FACTORY_SETTING_ENUM, "s", "unit of the time field", "s|ms|us|ns"},
        {"check", FACTORY_SETTING_ENUM, "fields",
         "how much of each line is checked: fields (simdjson reads the key and time fields; other "
         "members' values are skipped, not checked) or all (the SDK's reader checks every value: only "
         "exact JSON objects pass; slower)",
         "fields|all"},
        {"typed", FACTORY_SETTING_BOOL, "true",
         "when the blueprint declares the fields it reads, decode each line into that record (true) "
         "or pass the line's text as it is (false; the blueprint must then read raw JSON)"},
        {"rename", FACTORY_SETTING_STRING, "",
         "typed materials: record fields read from a member of another name, FIELD=MEMBER,... (e.g. "
         "page=url); empty: each field from the member of its own name"},
    };

    jsonl_source(const factory::settings& s, factory::host h);

    factory::fill_result on_fill(factory::filler& f);

    // Checkpoints: the position is the byte offset of the next line and the number of the last one,
    // with a check of the file (its size, and a hash of the 64 bytes before the offset) so that a
    // position is never applied to another file. stdin and other inputs that cannot be read again
    // refuse (on_position throws).
    std::size_t on_position(std::span<std::byte> out);
    void on_seek(std::span<const std::byte> position);

private:
    line_reader reader_;
    key_rule rule_;
    std::unique_ptr<record_decoder> decoder_; // typed materials only
};

} // namespace factory::jsonl
