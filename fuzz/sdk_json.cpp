// Fuzz target for <factory/util/json.hpp>: read_object() and everything a plugin does with what it
// hands out (the value readers, unescape, equals), on any bytes.
//
// Beyond "no crash, no out-of-bounds read" (ASan), it checks the header's promises:
//   - every view a member holds lies inside the text, and looks like its kind;
//   - validate_object() and read_object() agree, and a nested object member reads on its own;
//   - unescape() never fails on accepted text, decodes to valid UTF-8 no longer than the escaped
//     text, refuses a buffer one byte too small, and equals() matches what it decoded;
//   - acceptance matches an independent parser (nlohmann::json) on every text within the depth
//     limit, so the reader neither accepts what RFC 8259 forbids nor refuses what it allows.
#include "fuzz_check.hpp"

#include <factory/util/json.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace json = factory::json;

namespace {

// RFC 3629 well-formedness, written apart from the reader's own check so that they test each other.
bool valid_utf8(const unsigned char* p, std::size_t n) {
    std::size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        if (len == 0 || i + len > n) return false;
        std::uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
        for (std::size_t k = 1; k < len; ++k) {
            if ((p[i + k] & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        static constexpr std::uint32_t least[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < least[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        i += len;
    }
    return true;
}

bool inside(std::string_view part, std::string_view whole) {
    return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

void check_string(std::string_view raw) {
    // Decoding never grows the text: every escape is longer than what it stands for.
    static char out[1 << 17];
    if (raw.size() > sizeof out) return;
    const std::size_t n = json::unescape(raw, out, sizeof out);
    FUZZ_CHECK(n != json::npos, "unescape refused a string that read_object accepted");
    FUZZ_CHECK(n <= raw.size(), "unescape grew the text");
    FUZZ_CHECK(valid_utf8(reinterpret_cast<const unsigned char*>(out), n), "unescape made invalid UTF-8");
    FUZZ_CHECK(json::equals(raw, std::string_view(out, n)), "equals disagrees with unescape");
    if (n > 0) FUZZ_CHECK(json::unescape(raw, out, n - 1) == json::npos, "unescape overflowed its buffer");
    std::size_t pieces = 0;
    bool ok = json::unescape(raw, [&](const char*, std::size_t k) { pieces += k; });
    FUZZ_CHECK(ok && pieces == n, "the two unescape forms disagree");
}

void check_member(const json::member& m, std::string_view text) {
    FUZZ_CHECK(inside(m.key, text) && inside(m.value, text), "a member's view points outside the text");
    check_string(m.key);
    std::uint64_t u = 0;
    std::int64_t i = 0;
    double d = 0;
    bool b = false;
    const bool is_u = json::to_u64(m, u);
    const bool is_i = json::to_i64(m, i);
    const bool is_d = json::to_double(m, d);
    FUZZ_CHECK(json::to_bool(m, b) == (m.kind == json::kind::boolean), "to_bool and kind disagree");
    FUZZ_CHECK(!(is_u || is_i || is_d) || m.kind == json::kind::number, "a number reader took a non-number");
    FUZZ_CHECK(!is_i || is_d, "an int64 is not a double");
    FUZZ_CHECK(!is_u || m.value.find_first_not_of("0123456789") == std::string_view::npos,
               "to_u64 took more than digits");
    switch (m.kind) {
    case json::kind::string: {
        const char* before = m.value.data() - 1;
        FUZZ_CHECK(inside({before, m.value.size() + 2}, text) && *before == '"' && before[m.value.size() + 1] == '"',
                   "a string value is not between quotes");
        check_string(m.value);
        break;
    }
    case json::kind::number:
        FUZZ_CHECK(!m.value.empty() && (m.value[0] == '-' || (m.value[0] >= '0' && m.value[0] <= '9')),
                   "a number does not start with '-' or a digit");
        break;
    case json::kind::object:
        FUZZ_CHECK(m.value.front() == '{' && m.value.back() == '}', "an object value is not braced");
        FUZZ_CHECK(json::validate_object(m.value).ok(), "a nested object does not read on its own");
        break;
    case json::kind::array:
        FUZZ_CHECK(m.value.front() == '[' && m.value.back() == ']', "an array value is not bracketed");
        break;
    case json::kind::null: FUZZ_CHECK(m.value == "null", "null is not 'null'"); break;
    case json::kind::boolean: FUZZ_CHECK(m.value == "true" || m.value == "false", "a boolean is not a literal"); break;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::size_t members = 0;
    json::status st = json::read_object(text, [&](const json::member& m) {
        ++members;
        check_member(m, text);
    });
    json::status again = json::validate_object(text);
    FUZZ_CHECK(st.ok() == again.ok() && st.offset == again.offset, "validate_object and read_object disagree");
    FUZZ_CHECK(st.offset <= size, "a fault's offset is past the end");
    FUZZ_CHECK(st.ok() || std::strlen(st.reason) > 0, "a fault without a reason");
    if (json::validate_object(text, 2).ok()) FUZZ_CHECK(st.ok(), "a shallower limit accepted more");

    // The comparison leaves out where the independent parser may differ: it skips a UTF-8 byte
    // order mark and refuses a number beyond a double's range (406 "number overflow"), both of
    // which RFC 8259 allows; it takes a NUL byte for the end of the text (so "{}\0x" passes);
    // and it has no depth limit.
    const bool bom = size >= 3 && std::memcmp(data, "\xef\xbb\xbf", 3) == 0;
    const bool nul = std::memchr(data, '\0', size) != nullptr;
    const bool too_deep = !st.ok() && std::strcmp(st.reason, "nested deeper than the depth limit") == 0;
    if (bom || nul || too_deep) return 0;
    bool other_ok = false;
    try {
        other_ok = nlohmann::json::parse(data, data + size).is_object();
    } catch (const nlohmann::json::out_of_range&) {
        return 0;
    } catch (const nlohmann::json::parse_error& e) {
        if (st.ok()) std::fprintf(stderr, "nlohmann::json: %s\n", e.what());
    }
    if (other_ok != st.ok()) std::fprintf(stderr, "read_object: %s at %zu\n", st.ok() ? "ok" : st.reason, st.offset);
    FUZZ_CHECK(other_ok == st.ok(), "acceptance differs from nlohmann::json");
    return 0;
}
