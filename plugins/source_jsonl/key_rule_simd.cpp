// key_rule's reading with simdjson On-Demand (check=fields): the line's top-level members are
// walked, the key and time fields are read and checked as the SDK's reader would, the other
// members' values are skipped (On-Demand counts their brackets; simdjson's first pass has checked
// the UTF-8 and the strings' control characters of the whole line). Visiting every value instead
// costs more than the SDK's reader does, which is why check=all uses that reader alone. Whatever
// this cannot settle (an error, a key that is an array or object, a number simdjson will not
// take such as 1e999) it leaves to read_exact(), which gives the verdict and the reason.
#include "key_rule.hpp"

#include "record_decoder.hpp"

#include <factory/settings.hpp>

#include <simdjson.h>

#include <charconv>
#include <utility>
#include <cstring>
#include <vector>

namespace factory::jsonl {

static_assert(key_rule::padding >= simdjson::SIMDJSON_PADDING, "key_rule::padding is smaller than simdjson needs");

namespace od = simdjson::ondemand;

struct simd_state {
    od::parser parser;
    std::vector<char> copy; // a line plus padding, for callers whose bytes are not padded
};

void simd_state_deleter::operator()(simd_state* s) const noexcept { delete s; }

namespace {

std::string_view trim_token(std::string_view t) noexcept {
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\n' || t.back() == '\r'))
        t.remove_suffix(1);
    return t;
}

// Checks a scalar the rule reads as the SDK's reader would: a string's escapes, a number's
// syntax, a literal's spelling.
bool check_scalar(od::value v, od::json_type type) noexcept {
    switch (type) {
    case od::json_type::string: {
        std::string_view s;
        return !v.get_string().get(s);
    }
    case od::json_type::number: {
        double d;
        return !v.get_double().get(d);
    }
    case od::json_type::boolean: {
        bool b;
        return !v.get_bool().get(b);
    }
    case od::json_type::null: {
        bool is_null = false;
        return !v.is_null().get(is_null) && is_null;
    }
    default: return false;
    }
}

// A key field's value as the pid rule needs it: a string's unescaped bytes, or a scalar's text.
struct key_value {
    std::string_view text;
    bool is_string = false;
};

constexpr std::size_t no_field = static_cast<std::size_t>(-1);

record_decoder::value_kind kind_of(od::json_type t) noexcept {
    switch (t) {
    case od::json_type::string: return record_decoder::value_kind::string;
    case od::json_type::number: return record_decoder::value_kind::number;
    case od::json_type::boolean: return record_decoder::value_kind::boolean;
    case od::json_type::null: return record_decoder::value_kind::null;
    default: return record_decoder::value_kind::other;
    }
}

} // namespace

void key_rule::reserve(std::size_t max_line) {
    if (!simd_) simd_.reset(new simd_state);
    if (simd_->parser.capacity() < max_line && simd_->parser.allocate(max_line) != simdjson::SUCCESS)
        throw factory::error("source jsonl: cannot allocate the JSON parser for lines of " +
                             std::to_string(max_line) + " bytes");
    if (simd_->copy.size() < max_line + padding) simd_->copy.resize(max_line + padding);
}

key_rule::fast_result key_rule::read_fast(const char* data, std::size_t size, std::size_t readable,
                                          std::uint64_t& pid, std::int64_t& time_ns) {
    constexpr fast_result exact = fast_result::exact;
    if (!simd_ || simd_->parser.capacity() < size || (readable < size + padding && simd_->copy.size() < size + padding))
        reserve(size); // only when a line is longer than any before it
    if (readable < size + padding) {
        std::memcpy(simd_->copy.data(), data, size);
        data = simd_->copy.data();
        readable = simd_->copy.size();
    }
    if (decoder_ != nullptr) decoder_->begin();
    od::document doc;
    if (simd_->parser.iterate(data, size, readable).get(doc)) return exact;
    od::object obj;
    if (doc.get_object().get(obj)) return exact;

    const std::size_t n = keys_.size();
    key_value found[max_keys];
    bool have[max_keys] = {};
    std::string_view time_text;
    bool have_time = false;
    const bool want_time = !time_field_.empty();

    // Without a backslash in the line no key has an escape, and keys compare as written, without
    // unescaping each one (the common case, and most of the walk's cost otherwise).
    const bool plain = plain_names_ && std::memchr(data, '\\', size) == nullptr;
    for (auto f : obj) {
        od::field field;
        std::string_view key;
        if (std::move(f).get(field)) return exact;
        const od::raw_json_string raw_key = field.key();
        if (!plain && field.unescaped_key().get(key)) return exact;
        // unsafe_is_equal may read past the key: the line is padded.
        auto is = [&](const std::string& name) { return plain ? raw_key.unsafe_is_equal(name) : key == name; };
        od::value v = field.value();
        bool wanted = false;
        bool match[max_keys];
        for (std::size_t i = 0; i < n; ++i) {
            match[i] = !have[i] && is(keys_[i]);
            wanted |= match[i];
        }
        const bool is_time = want_time && !have_time && is(time_field_);
        // A layout field (typed materials): decoded from the same reading of the value.
        std::size_t slot = no_field;
        if (decoder_ != nullptr)
            for (std::size_t i = 0, nf = decoder_->field_count(); i < nf; ++i)
                if (!decoder_->seen(i) && is(decoder_->member_name(i))) {
                    slot = i;
                    break;
                }
        // A member the rule does not read is skipped: its brackets are counted and its strings
        // were checked by simdjson's first pass, nothing more (check=all reads every value).
        if (!wanted && !is_time && slot == no_field) continue;
        od::json_type type;
        if (v.type().get(type)) return exact;
        key_value kv;
        if (type == od::json_type::string) {
            if (v.get_string().get(kv.text)) return exact;
            kv.is_string = true;
        } else if (type == od::json_type::object || type == od::json_type::array) {
            if (wanted || is_time) return exact; // the text as written: the SDK's reader has it
            // Only the layout wants it, and no field type takes one; the reason is the field's.
            decoder_->put(slot, record_decoder::value_kind::other, {});
            return fast_result::field;
        } else {
            // The token's text before it is consumed: the pid and the time read it as written.
            kv.text = trim_token(v.raw_json_token());
            if (!check_scalar(v, type)) return exact;
        }
        if (slot != no_field && !decoder_->put(slot, kind_of(type), kv.text)) return fast_result::field;
        for (std::size_t i = 0; i < n; ++i)
            if (match[i]) {
                found[i] = kv;
                have[i] = true;
            }
        if (is_time) {
            if (type != od::json_type::number) return exact;
            time_text = kv.text;
            have_time = true;
        }
    }
    // Nothing may follow the object: at the end of the line, simdjson reports no location.
    if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) return exact;
    for (std::size_t i = 0; i < n; ++i)
        if (!have[i]) return exact;

    time_ns = 0;
    if (want_time && (!have_time || !decimal_to_ns(time_text, time_exp_, time_ns))) return exact;

    if (n == 1 && !found[0].is_string) {
        // Digits only (JSON has no leading zeros) and below 2^64: the pid itself.
        const std::string_view t = found[0].text;
        const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), pid);
        if (ec == std::errc() && end == t.data() + t.size() && !t.empty() && t[0] != '-') return fast_result::ok;
    }
    std::uint64_t h = fnv_offset;
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0) {
            const char sep = 0x1f;
            h = fnv1a(h, &sep, 1);
        }
        h = fnv1a(h, found[i].text.data(), found[i].text.size());
    }
    pid = h;
    return fast_result::ok;
}

} // namespace factory::jsonl
