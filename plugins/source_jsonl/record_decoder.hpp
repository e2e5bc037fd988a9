// Typed materials: one JSON line's top-level members decoded into the record the blueprint
// declared (its material_layout, abi.h), in purchasing, so the blueprint never parses. key_rule's
// simdjson walk (key_rule_simd.cpp) hands each member whose name is a layout field to put(), with
// the member's value already read: a string's unescaped bytes, or a number's or literal's text.
//
// The rules, per field type (a member that appears twice: its first occurrence counts):
//   - integers (u8..u64, i8..i64): a JSON number written as an integer, within the type's range;
//   - f32, f64: any JSON number (f32: rounded to nearest; one beyond f32's range is refused);
//   - bool: true or false;
//   - time_ns: a JSON number in the source's time_unit since the Unix epoch, as the time= field;
//   - string: a JSON string, its unescaped bytes, NUL-padded to the field's size; a longer string
//     is refused (never cut);
//   - ipv4, ipv6: a JSON string holding the address in text (inet_pton), stored in network order.
// A missing member, or null, leaves the field zero. Any other value (an object, an array, a string
// for a number, a fraction for an integer) is refused with "field 'NAME': <why>"; the source
// dead-letters the line with that reason. No allocation after construction.
#pragma once

#include <factory/abi.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace factory::jsonl {

class record_decoder {
public:
    enum class value_kind { string, number, boolean, null, other };

    // `layout`: the blueprint's material layout, already checked by the host (copied: it need not
    // outlive this); `time_exp`: ns = value * 10^time_exp for time_ns fields; `renames`: the
    // source's rename setting, "FIELD=MEMBER,..." (FIELD read from member MEMBER instead of the
    // member of its own name). Throws factory::error naming the setting when a FIELD is not in the
    // layout or a MEMBER is empty or holds '"' or '\\'.
    record_decoder(const factory_pclass& layout, int time_exp, std::string_view renames = {});

    std::uint32_t record_size() const noexcept { return static_cast<std::uint32_t>(record_.size()); }
    std::size_t field_count() const noexcept { return fields_.size(); }
    const std::string& field_name(std::size_t i) const noexcept { return fields_[i].name; }
    // The top-level member field i is read from: its name, or its rename.
    const std::string& member_name(std::size_t i) const noexcept { return fields_[i].member; }

    // A new line: the record zeroed, no field seen.
    void begin() noexcept;
    // Whether field i was already filled on this line (a member seen twice keeps the first).
    bool seen(std::size_t i) const noexcept { return seen_[i] != 0; }
    // Puts member value `text` (a string's unescaped bytes; a number's or literal's text as
    // written) into field i. False when it does not fit the field: why() says so.
    bool put(std::size_t i, value_kind kind, std::string_view text) noexcept;

    // The record as filled so far (record_size() bytes).
    const void* record() const noexcept { return record_.data(); }
    // The last refusal, "field 'NAME': <why>".
    const char* why() const noexcept { return why_; }

private:
    struct field {
        std::string name;
        std::string member;
        std::uint32_t type;
        std::uint32_t offset;
        std::uint32_t size;
    };
    bool refuse(std::size_t i, const char* format, ...) noexcept __attribute__((format(printf, 3, 4)));
    bool put_integer(std::size_t i, std::string_view text) noexcept;
    bool put_float(std::size_t i, std::string_view text) noexcept;
    bool put_address(std::size_t i, std::string_view text) noexcept;

    std::vector<field> fields_;
    std::vector<unsigned char> record_;
    std::vector<unsigned char> seen_;
    int time_exp_;
    char why_[192] = {};
};

} // namespace factory::jsonl
