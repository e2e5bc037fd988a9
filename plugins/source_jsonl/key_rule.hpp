// How the jsonl source turns a line into a material's pid and event time.
//
// The pid rule (the `key` setting names one field, or several separated by commas):
//   - a single key field whose value is a number written as digits only (no sign, fraction or
//     exponent) and below 2^64: the pid is that number;
//   - otherwise: FNV-1a 64 (offset basis 0xcbf29ce484222325, prime 0x100000001b3) over the key
//     fields' values in the order the setting names them, joined by one 0x1f byte; a string value
//     contributes its unescaped UTF-8 bytes (no quotes), any other value its text as written
//     ("12.5", "-3", "true", "null", "[1,2]").
// Only top-level members count; when a key appears twice, the first occurrence is used.
//
// The event time (optional `time` setting): a top-level numeric field, in `time_unit` (s, ms, us
// or ns) since the Unix epoch, read exactly from its decimal text and rounded to the nanosecond. A line whose time field is
// missing, not a number or out of the int64 nanosecond range is rejected. (A time of exactly 0
// reaches the host as 0, which factory_fill reads as "now".)
//
// How a line is read (the `check` setting):
//   - fields (default): simdjson's On-Demand parser (key_rule_simd.cpp) walks the top-level
//     members and reads the key and time fields; the values of other members are skipped, not
//     checked (their strings' UTF-8 and control characters are, by simdjson's first pass). A line
//     with a bad value in a member nobody reads, such as {"pid":1,"x":01}, becomes a material.
//   - all: the SDK's reader (<factory/util/json.hpp>) alone, which checks every value: a line is
//     accepted only when it is exactly one valid JSON object.
// In both, a line the fast reading refuses, or whose key is an array or object, is read again by
// the SDK's reader, whose verdict and reason are the ones given: bad lines are rare, so the second
// reading costs nothing on good input and keeps every reason as it was.
#pragma once

#include <factory/util/json.hpp>
#include <factory/hash.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace factory::jsonl {

inline constexpr std::uint64_t fnv_offset = factory::fnv1a_offset;
inline constexpr std::uint64_t fnv_prime = factory::fnv1a_prime;

inline std::uint64_t fnv1a(std::uint64_t h, const char* p, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) {
        h ^= static_cast<unsigned char>(p[i]);
        h *= fnv_prime;
    }
    return h;
}

// The decimal number `text` (JSON number syntax) times 10^unit_exp, rounded to an integer
// (half away from zero); false when it does not fit in int64 or is not a number.
bool decimal_to_ns(std::string_view text, int unit_exp, std::int64_t& out) noexcept;

class record_decoder; // record_decoder.hpp
struct simd_state; // simdjson's parser and a padded copy buffer (key_rule_simd.cpp)
struct simd_state_deleter {
    void operator()(simd_state* s) const noexcept;
};

class key_rule {
public:
    static constexpr std::size_t max_keys = 16;
    // Bytes simdjson may read past the end of a line (SIMDJSON_PADDING, checked where simdjson is
    // included).
    static constexpr std::size_t padding = 64;

    enum class check_mode { fields, all };

    // `keys`: the key setting; `time_field`: empty for none; `time_unit`: s|ms|us|ns; `check`:
    // fields|all. Throws factory::error naming the setting when one is malformed.
    key_rule(std::string_view keys, std::string_view time_field, std::string_view time_unit,
             std::string_view check = "fields");

    // Sizes the parser and the copy buffer for lines of up to `max_line` bytes (allocates: call it
    // once before reading; a longer line later grows them once).
    void reserve(std::size_t max_line);

    // Reads one line. On success sets pid and time_ns (0 when there is no time field) and returns
    // true; otherwise writes why into `why` (NUL-terminated, at most why_size bytes) and returns
    // false. `readable`: how many bytes may be read from line.data() (at least line.size()); with
    // line.size() + padding or more the line is parsed where it is, otherwise it is copied into
    // the rule's padded buffer first. No allocation once reserve() has been called. Not
    // thread-safe: the rule holds the parser's state.
    bool read(std::string_view line, std::size_t readable, std::uint64_t& pid, std::int64_t& time_ns,
              char* why, std::size_t why_size);
    bool read(std::string_view line, std::uint64_t& pid, std::int64_t& time_ns, char* why,
              std::size_t why_size) {
        return read(line, line.size(), pid, time_ns, why, why_size);
    }

    // Typed materials: from now on read() also decodes each line's layout fields into `d` (see
    // record_decoder.hpp), in the same walk; nullptr stops it. A line whose field does not fit is
    // refused with the decoder's reason ("field 'page': ..."). A line only the SDK's reader can
    // settle (its key an array or object, a number simdjson cannot read) is refused as well, since
    // that reader does not decode. With check=all the SDK's reader checks the line first, then the
    // walk decodes it. `d` must outlive its use here.
    void decode_into(record_decoder* d) noexcept { decoder_ = d; }

    // The SDK reader alone: the reference that read() agrees with, and what gives the reasons.
    bool read_exact(std::string_view line, std::uint64_t& pid, std::int64_t& time_ns, char* why,
                    std::size_t why_size) const;

    const std::vector<std::string>& keys() const noexcept { return keys_; }
    // ns = value * 10^time_exp() for the time field (time_unit).
    int time_exp() const noexcept { return time_exp_; }
    // Lines read() handed to read_exact() after the fast reading (bad lines, array or object keys;
    // none with check=all, which reads every line there): a figure for tests.
    std::uint64_t exact_reads() const noexcept { return exact_reads_; }

private:
    bool read_time(const json::member& m, std::int64_t& out) const noexcept;
    // The simdjson reading; false when the line must be read by read_exact() (it is bad, or its
    // key is an array or object).
    enum class fast_result { ok, exact, field };
    // `exact`: read_exact() must settle the line; `field`: a layout field did not fit (the
    // decoder says why).
    fast_result read_fast(const char* data, std::size_t size, std::size_t readable, std::uint64_t& pid,
                          std::int64_t& time_ns);

    std::unique_ptr<simd_state, simd_state_deleter> simd_; // made by the first reserve() or read()
    std::uint64_t exact_reads_ = 0;
    record_decoder* decoder_ = nullptr;
    check_mode check_ = check_mode::fields;
    bool plain_names_ = true; // no field name holds '"' or '\\': they compare with raw keys

    std::vector<std::string> keys_;
    std::string time_field_;
    int time_exp_ = 0; // ns = value * 10^time_exp_
};

} // namespace factory::jsonl
