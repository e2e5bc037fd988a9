#include "key_rule.hpp"

#include "record_decoder.hpp"

#include <factory/settings.hpp>
#include <factory/util/values.hpp>

#include <cstdint>
#include <cstdio>

namespace factory::jsonl {

key_rule::key_rule(std::string_view keys, std::string_view time_field, std::string_view time_unit,
                   std::string_view check)
    : time_field_(values::trim(time_field)) {
    if (check == "fields") check_ = check_mode::fields;
    else if (check == "all") check_ = check_mode::all;
    else
        throw factory::error("setting 'check': '" + std::string(check) + "' is not one of fields, all");
    std::string_view rest = keys;
    while (true) {
        auto comma = rest.find(',');
        std::string_view name = values::trim(rest.substr(0, comma));
        if (name.empty())
            throw factory::error("setting 'key': '" + std::string(keys) +
                                 "' has an empty field name; write one field, or several "
                                 "separated by commas (e.g. src,dst)");
        keys_.emplace_back(name);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    if (keys_.size() > max_keys)
        throw factory::error("setting 'key' names " + std::to_string(keys_.size()) +
                             " fields; at most " + std::to_string(max_keys) + " are supported");
    for (const auto& k : keys_)
        if (k.find_first_of("\"\\") != std::string::npos) plain_names_ = false;
    if (time_field_.find_first_of("\"\\") != std::string::npos) plain_names_ = false;
    if (time_unit == "s") time_exp_ = 9;
    else if (time_unit == "ms") time_exp_ = 6;
    else if (time_unit == "us") time_exp_ = 3;
    else if (time_unit == "ns") time_exp_ = 0;
    else
        throw factory::error("setting 'time_unit': '" + std::string(time_unit) +
                             "' is not one of s, ms, us, ns");
}

// Reads the number's decimal text exactly (a double would lose the nanoseconds of a time in
// seconds): up to 19 significant digits, the rest ignored, then scaled by 10^unit_exp and rounded
// half away from zero to whole nanoseconds.
bool decimal_to_ns(std::string_view text, int unit_exp, std::int64_t& out) noexcept {
    std::size_t i = 0;
    bool negative = i < text.size() && text[i] == '-';
    if (negative) ++i;
    std::uint64_t mant = 0;
    int digits = 0;     // significant digits in mant
    long exp10 = 0;     // value = mant * 10^exp10
    bool fraction = false;
    for (; i < text.size(); ++i) {
        char c = text[i];
        if (c == '.') { fraction = true; continue; }
        if (c < '0' || c > '9') break;
        if (digits < 19) {
            mant = mant * 10 + static_cast<unsigned>(c - '0');
            if (mant != 0) ++digits;
            if (fraction) --exp10;
        } else if (!fraction) {
            ++exp10;
        }
    }
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        bool eneg = i < text.size() && text[i] == '-';
        if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
        long e = 0;
        for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i)
            if (e < 100000) e = e * 10 + (text[i] - '0');
        exp10 += eneg ? -e : e;
    }
    if (i != text.size()) return false;
    exp10 += unit_exp;
    if (mant == 0) { out = 0; return true; }
    std::uint64_t v = mant;
    if (exp10 >= 0) {
        for (long k = 0; k < exp10; ++k)
            if (__builtin_mul_overflow(v, 10u, &v)) return false;
    } else if (exp10 < -19) {
        v = 0;
    } else {
        std::uint64_t p = 1;
        for (long k = 0; k < -exp10; ++k) p *= 10;
        std::uint64_t q = v / p, r = v % p;
        v = q + (r >= p - r ? 1 : 0);
    }
    const std::uint64_t limit = static_cast<std::uint64_t>(INT64_MAX) + (negative ? 1 : 0);
    if (v > limit) return false;
    out = negative ? static_cast<std::int64_t>(0 - v) : static_cast<std::int64_t>(v);
    return true;
}

bool key_rule::read_time(const json::member& m, std::int64_t& out) const noexcept {
    return decimal_to_ns(m.value, time_exp_, out);
}

bool key_rule::read(std::string_view line, std::size_t readable, std::uint64_t& pid,
                    std::int64_t& time_ns, char* why, std::size_t why_size) {
    if (check_ == check_mode::all) {
        if (!read_exact(line, pid, time_ns, why, why_size)) return false;
        if (decoder_ == nullptr) return true;
    }
    switch (read_fast(line.data(), line.size(), readable, pid, time_ns)) {
    case fast_result::ok: return true;
    case fast_result::field: std::snprintf(why, why_size, "%s", decoder_->why()); return false;
    case fast_result::exact: break;
    }
    ++exact_reads_;
    if (!read_exact(line, pid, time_ns, why, why_size)) return false;
    if (decoder_ == nullptr) return true;
    std::snprintf(why, why_size, "cannot be decoded into the blueprint's record: a key or time field is an array, "
                                 "an object or a number simdjson cannot read");
    return false;
}

bool key_rule::read_exact(std::string_view line, std::uint64_t& pid, std::int64_t& time_ns, char* why,
                          std::size_t why_size) const {
    json::member found[max_keys];
    bool have[max_keys] = {};
    json::member time_member;
    bool have_time = false;
    const bool want_time = !time_field_.empty();
    const std::size_t n = keys_.size();

    json::status st = json::read_object(line, [&](const json::member& m) {
        for (std::size_t i = 0; i < n; ++i)
            if (!have[i] && json::equals(m.key, keys_[i])) {
                found[i] = m;
                have[i] = true;
            }
        if (want_time && !have_time && json::equals(m.key, time_field_)) {
            time_member = m;
            have_time = true;
        }
    });
    if (!st) {
        std::snprintf(why, why_size, "invalid JSON at byte %zu: %s", st.offset, st.reason);
        return false;
    }
    for (std::size_t i = 0; i < n; ++i)
        if (!have[i]) {
            std::snprintf(why, why_size, "no key field '%s'", keys_[i].c_str());
            return false;
        }

    time_ns = 0;
    if (want_time) {
        if (!have_time) {
            std::snprintf(why, why_size, "no time field '%s'", time_field_.c_str());
            return false;
        }
        if (time_member.kind != json::kind::number) {
            std::snprintf(why, why_size, "time field '%s' is not a number", time_field_.c_str());
            return false;
        }
        if (!read_time(time_member, time_ns)) {
            std::snprintf(why, why_size, "time field '%s' is out of range", time_field_.c_str());
            return false;
        }
    }

    if (n == 1 && json::to_u64(found[0], pid)) return true;
    std::uint64_t h = fnv_offset;
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0) {
            const char sep = 0x1f;
            h = fnv1a(h, &sep, 1);
        }
        if (found[i].kind == json::kind::string)
            json::unescape(found[i].value, [&](const char* p, std::size_t k) { h = fnv1a(h, p, k); });
        else
            h = fnv1a(h, found[i].value.data(), found[i].value.size());
    }
    pid = h;
    return true;
}

} // namespace factory::jsonl
