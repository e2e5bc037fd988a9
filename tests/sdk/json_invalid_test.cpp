// factory/util/json.hpp on text that is not one JSON object: the offset and reason of the first fault.
#include <factory/util/json.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace json = factory::json;

namespace {

struct bad_case {
    std::string text;
    std::size_t offset;
    std::string reason;
};

const std::vector<bad_case> bad_cases = {
    {"", 0, "empty document: expected a JSON object"},
    {"  \n", 3, "empty document: expected a JSON object"},
    {"[]", 0, "expected '{': the document must be one JSON object"},
    {"\"s\"", 0, "expected '{': the document must be one JSON object"},
    {"\xef\xbb\xbf{}", 0, "expected '{': the document must be one JSON object"},
    {"{} {}", 3, "unexpected text after the object"},
    {"{}x", 2, "unexpected text after the object"},
    {"{", 1, "expected '\"' to start a key"},
    {"{a:1}", 1, "expected '\"' to start a key"},
    {"{'a':1}", 1, "expected '\"' to start a key"},
    {"{\"a\":1,}", 7, "expected '\"' to start a key"},
    {"{,}", 1, "expected '\"' to start a key"},
    {"{\"a\" 1}", 5, "expected ':' after a key"},
    {"{\"a\"}", 4, "expected ':' after a key"},
    {"{\"a\":}", 5, "expected a value"},
    {"{\"a\":", 5, "unexpected end: expected a value"},
    {"{\"a\":1 \"b\":2}", 7, "expected ',' or '}' after a member"},
    {"{\"a\":1", 6, "unexpected end: unterminated object"},
    {"{\"a\":[1 2]}", 8, "expected ',' or ']' after an element"},
    {"{\"a\":[1,]}", 8, "expected a value"},
    {"{\"a\":[1", 7, "unexpected end: unterminated array"},
    {"{\"a\":[}", 6, "expected a value"},
    {"{\"a\":{\"b\"}}", 9, "expected ':' after a key"},
    {"{\"a\":tru}", 5, "invalid literal: expected true, false or null"},
    {"{\"a\":True}", 5, "expected a value"},
    {"{\"a\":nul", 5, "invalid literal: expected true, false or null"},
    {"{\"a\":01}", 6, "expected ',' or '}' after a member"},
    {"{\"a\":-}", 6, "invalid number: expected a digit"},
    {"{\"a\":+1}", 5, "expected a value"},
    {"{\"a\":.5}", 5, "expected a value"},
    {"{\"a\":1.}", 7, "invalid number: expected a digit after '.'"},
    {"{\"a\":1e}", 7, "invalid number: expected a digit in the exponent"},
    {"{\"a\":1e+}", 8, "invalid number: expected a digit in the exponent"},
    {"{\"a\":NaN}", 5, "expected a value"},
    {"{\"a\":\"x}", 5, "unterminated string"},
    {"{\"a", 1, "unterminated string"},
    {"{\"a\":\"\\", 6, "unterminated string"},
    {"{\"a\":\"\n\"}", 6, "control character in a string: escape it as \\u00XX"},
    {std::string("{\"a\":\"\0\"}", 9), 6, "control character in a string: escape it as \\u00XX"},
    {"{\"a\":\"\\x\"}", 6, "invalid escape in a string"},
    {"{\"a\":\"\\u12\"}", 6, "invalid \\u escape: expected 4 hex digits"},
    {"{\"a\":\"\\u12g4\"}", 6, "invalid \\u escape: expected 4 hex digits"},
    {"{\"a\":\"\\ud800\"}", 6, "unpaired surrogate in a \\u escape"},
    {"{\"a\":\"\\ud800\\u0041\"}", 6, "unpaired surrogate in a \\u escape"},
    {"{\"a\":\"\\udc00\\ud800\"}", 6, "unpaired surrogate in a \\u escape"},
    {"{\"a\":\"\\ud800x\"}", 6, "unpaired surrogate in a \\u escape"},
    {"{\"a\":\"\xc0\x80\"}", 6, "invalid UTF-8 in a string"},          // overlong NUL
    {"{\"a\":\"\xc1\xbf\"}", 6, "invalid UTF-8 in a string"},          // overlong
    {"{\"a\":\"\xe0\x80\x80\"}", 6, "invalid UTF-8 in a string"},      // overlong 3-byte
    {"{\"a\":\"\xed\xa0\x80\"}", 6, "invalid UTF-8 in a string"},      // a surrogate
    {"{\"a\":\"\xf0\x80\x80\x80\"}", 6, "invalid UTF-8 in a string"},  // overlong 4-byte
    {"{\"a\":\"\xf4\x90\x80\x80\"}", 6, "invalid UTF-8 in a string"},  // above U+10FFFF
    {"{\"a\":\"\xf5\x80\x80\x80\"}", 6, "invalid UTF-8 in a string"},
    {"{\"a\":\"\x80\"}", 6, "invalid UTF-8 in a string"},              // lone continuation
    {"{\"a\":\"\xc3\"}", 6, "invalid UTF-8 in a string"},              // cut sequence
    {"{\"a\":\"\xe2\x82\"}", 6, "invalid UTF-8 in a string"},
    {"{\"a\":\"\xff\"}", 6, "invalid UTF-8 in a string"},
    {"{\"a\":\"12345678\x01\"}", 14, "control character in a string: escape it as \\u00XX"},
    {"{\"\xc3\x28\":1}", 2, "invalid UTF-8 in a string"},
    {std::string("{\"a\":1}\0", 8), 7, "unexpected text after the object"},
};

} // namespace

TEST_CASE("invalid documents: offset and reason of the first fault") {
    for (const auto& c : bad_cases) {
        INFO("text: " << c.text);
        json::status st = json::validate_object(c.text);
        REQUIRE_FALSE(st.ok());
        CHECK(st.offset == c.offset);
        CHECK(std::string(st.reason) == c.reason);
    }
}

TEST_CASE("members visited before a fault are still reported, and the result is a failure") {
    int visited = 0;
    auto st = json::read_object(R"({"a":1,"b":2,"c":})", [&](const json::member&) { ++visited; });
    CHECK(visited == 2);
    CHECK_FALSE(st.ok());
}

TEST_CASE("random bytes and mutations never crash and faults lie inside the text") {
    std::mt19937 rng(12345);
    const std::string base = R"({"pid":123,"s":"a\u00e9\"b","n":[1,2.5e-3,{"x":null}],"t":true})";
    for (int i = 0; i < 200000; ++i) {
        std::string t = base;
        int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits; ++e) {
            std::size_t at = rng() % t.size();
            switch (rng() % 3) {
            case 0: t[at] = static_cast<char>(rng() & 0xff); break;
            case 1: t = t.substr(0, at) + t.substr(std::min(t.size(), at + 1 + rng() % 3)); break;
            default: t = t.substr(0, at) + "{}[]\",:\\u0"[rng() % 10] + t.substr(at);
            }
            if (t.empty()) t = "{";
        }
        json::status st = json::validate_object(t);
        if (!st.ok()) REQUIRE(st.offset <= t.size());
    }
    for (int i = 0; i < 20000; ++i) {
        std::string t(rng() % 64, '\0');
        for (char& c : t) c = static_cast<char>(rng() & 0xff);
        json::status st = json::validate_object(t);
        if (!st.ok()) REQUIRE(st.offset <= t.size());
    }
}
