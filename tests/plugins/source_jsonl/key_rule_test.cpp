#include "source_jsonl/key_rule.hpp"

#include <catch2/catch.hpp>

#include <factory/settings.hpp>

#include <string>

using factory::jsonl::key_rule;

namespace {

// FNV-1a 64 written out again, independently of the plugin's.
std::uint64_t fnv(const std::string& s) {
    std::uint64_t h = 14695981039346656037ULL;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

struct outcome {
    bool ok = false;
    std::uint64_t pid = 0;
    std::int64_t time_ns = 0;
    std::string why;
};

outcome run(const key_rule& r, const std::string& line) {
    outcome o;
    char why[192] = "";
    o.ok = r.read(line, o.pid, o.time_ns, why, sizeof why);
    o.why = why;
    return o;
}

std::uint64_t pid_of(const std::string& keys, const std::string& line) {
    key_rule r(keys, "", "s");
    auto o = run(r, line);
    INFO(line << " -> " << o.why);
    REQUIRE(o.ok);
    return o.pid;
}

} // namespace

TEST_CASE("pid: a single field holding a non-negative integer is the pid") {
    CHECK(pid_of("pid", R"({"pid":42})") == 42);
    CHECK(pid_of("pid", R"({"pid":0})") == 0);
    CHECK(pid_of("pid", R"( {"x":1, "pid" : 18446744073709551615 } )") == 18446744073709551615ULL);
    CHECK(pid_of("id", R"({"pid":1,"id":7})") == 7);
}

TEST_CASE("pid: anything else is FNV-1a 64 of the value") {
    CHECK(pid_of("pid", R"({"pid":"42"})") == fnv("42"));
    CHECK(pid_of("pid", R"({"pid":-1})") == fnv("-1"));
    CHECK(pid_of("pid", R"({"pid":1.5})") == fnv("1.5"));
    CHECK(pid_of("pid", R"({"pid":1e3})") == fnv("1e3"));
    CHECK(pid_of("pid", R"({"pid":18446744073709551616})") == fnv("18446744073709551616"));
    CHECK(pid_of("pid", R"({"pid":true})") == fnv("true"));
    CHECK(pid_of("pid", R"({"pid":null})") == fnv("null"));
    CHECK(pid_of("pid", R"({"pid":[1, 2]})") == fnv("[1, 2]"));
    CHECK(pid_of("pid", R"({"pid":""})") == fnv(""));
}

TEST_CASE("pid: strings are unescaped before hashing") {
    CHECK(pid_of("pid", R"({"pid":"a\u00e9\n\"\/"})") == fnv("a\xc3\xa9\n\"/"));
    CHECK(pid_of("pid", R"({"pid":"\ud83d\ude00"})") == fnv("\xf0\x9f\x98\x80"));
}

TEST_CASE("pid: several fields are joined by 0x1f, in the setting's order") {
    CHECK(pid_of("src,dst", R"({"dst":"10.0.0.2","src":"10.0.0.1"})") ==
          fnv(std::string("10.0.0.1\x1f") + "10.0.0.2"));
    CHECK(pid_of("a, b", R"({"a":1,"b":2})") == fnv("1\x1f" "2"));
    CHECK(pid_of("b,a", R"({"a":1,"b":2})") == fnv("2\x1f" "1"));
}

TEST_CASE("pid: keys are matched unescaped, first occurrence, top level only") {
    CHECK(pid_of("pid", R"({"p\u0069d":7})") == 7);
    CHECK(pid_of("pid", R"({"pid":1,"pid":2})") == 1);
    key_rule r("pid", "", "s");
    auto o = run(r, R"({"x":{"pid":5}})");
    CHECK_FALSE(o.ok);
    CHECK(o.why == "no key field 'pid'");
}

TEST_CASE("reasons for lines that cannot become materials") {
    key_rule r("src,dst", "ts", "ms");
    CHECK(run(r, R"({"src":1)").why == "invalid JSON at byte 8: unexpected end: unterminated object");
    CHECK(run(r, R"({"src" 1})").why == "invalid JSON at byte 7: expected ':' after a key");
    CHECK(run(r, R"([1])").why == "invalid JSON at byte 0: expected '{': the document must be one JSON object");
    CHECK(run(r, R"({"src":1,"ts":1})").why == "no key field 'dst'");
    CHECK(run(r, R"({"src":1,"dst":2})").why == "no time field 'ts'");
    CHECK(run(r, R"({"src":1,"dst":2,"ts":"now"})").why == "time field 'ts' is not a number");
    CHECK(run(r, R"({"src":1,"dst":2,"ts":1e300})").why == "time field 'ts' is out of range");
    CHECK(run(r, R"({"src":1,"dst":2,"ts":9223372036854775807})").why == "time field 'ts' is out of range");
}

TEST_CASE("event time in each unit, fractions kept") {
    CHECK(run(key_rule("pid", "ts", "s"), R"({"pid":1,"ts":1700000000})").time_ns == 1'700'000'000'000'000'000);
    CHECK(run(key_rule("pid", "ts", "s"), R"({"pid":1,"ts":1.5})").time_ns == 1'500'000'000);
    CHECK(run(key_rule("pid", "ts", "ms"), R"({"pid":1,"ts":1700000000123})").time_ns == 1'700'000'000'123'000'000);
    CHECK(run(key_rule("pid", "ts", "us"), R"({"pid":1,"ts":-5})").time_ns == -5'000);
    CHECK(run(key_rule("pid", "ts", "ns"), R"({"pid":1,"ts":123})").time_ns == 123);
    CHECK(run(key_rule("pid", "", "s"), R"({"pid":1,"ts":123})").time_ns == 0);
}

TEST_CASE("malformed settings are refused with the setting's name") {
    CHECK_THROWS_WITH(key_rule("a,,b", "", "s"), Catch::Contains("setting 'key'"));
    CHECK_THROWS_WITH(key_rule("", "", "s"), Catch::Contains("setting 'key'"));
    CHECK_THROWS_WITH(key_rule("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q", "", "s"), Catch::Contains("at most 16"));
    CHECK_THROWS_WITH(key_rule("a", "", "h"), Catch::Contains("setting 'time_unit'"));
}

TEST_CASE("decimal times are read exactly, not through a double") {
    using factory::jsonl::decimal_to_ns;
    std::int64_t v = 0;
    REQUIRE(decimal_to_ns("1700000000.25", 9, v));
    CHECK(v == 1'700'000'000'250'000'000);
    REQUIRE(decimal_to_ns("1700000000.123456789", 9, v));
    CHECK(v == 1'700'000'000'123'456'789);
    REQUIRE(decimal_to_ns("1.7e9", 9, v));
    CHECK(v == 1'700'000'000'000'000'000);
    REQUIRE(decimal_to_ns("17E+8", 9, v));
    CHECK(v == 1'700'000'000'000'000'000);
    REQUIRE(decimal_to_ns("0.0000000015", 9, v));
    CHECK(v == 2); // 1.5 ns rounds half away from zero
    REQUIRE(decimal_to_ns("-0.0000000015", 9, v));
    CHECK(v == -2);
    REQUIRE(decimal_to_ns("1e-10", 9, v));
    CHECK(v == 0);
    REQUIRE(decimal_to_ns("-0", 9, v));
    CHECK(v == 0);
    REQUIRE(decimal_to_ns("-9223372036854775808", 0, v));
    CHECK(v == INT64_MIN);
    CHECK_FALSE(decimal_to_ns("9223372036854775808", 0, v));
    CHECK_FALSE(decimal_to_ns("123456789012345678901234", 0, v));
    CHECK_FALSE(decimal_to_ns("1e999999999", 0, v));
    REQUIRE(decimal_to_ns("12345678901234567890123e-10", 0, v)); // digits past 19 are dropped
    CHECK(v == 1234567890123);
}
