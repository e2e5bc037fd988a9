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

outcome run(key_rule& r, const std::string& line) {
    outcome o;
    char why[192] = "";
    o.ok = r.read(line, o.pid, o.time_ns, why, sizeof why);
    o.why = why;
    return o;
}
outcome run(key_rule&& r, const std::string& line) { return run(r, line); }

outcome run_exact(const key_rule& r, const std::string& line) {
    outcome o;
    char why[192] = "";
    o.ok = r.read_exact(line, o.pid, o.time_ns, why, sizeof why);
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

// check=fields must give the SDK reader's verdict, pid, time and reason on every line, except a
// line whose only fault is in a member the rule does not read: that one it accepts (as documented),
// with the pid and time the fields give. check=all is the SDK reader on every line.
TEST_CASE("the simdjson reading agrees with the SDK reader, line by line") {
    const char* same[] = {
        R"({"pid":42,"ts":1.5})",
        R"({"pid":"u-17","ts":1700000000123,"page":"/a\u00e9"})",
        R"( {"x":[1,{"y":null}],"pid":7 , "ts":-3 } )",
        R"({"p\u0069d":9,"pid":8,"ts":1})",           // escaped key, first occurrence wins
        R"({"pid":[1, 2],"ts":1})",                     // array key: text as written
        R"({"pid":{"a":1},"ts":1})",
        R"({"pid":-1,"ts":1e3})",
        R"({"pid":1.5e2,"ts":0})",
        R"({"pid":18446744073709551616,"ts":2})",
        R"({"pid":true,"ts":2})",
        R"({"pid":null,"ts":2})",
        R"({"pid":01,"ts":2})",                         // bad values in the fields read
        R"({"pid":tru,"ts":2})",
        R"({"pid":"\q","ts":2})",
        R"({"pid":1,"ts":1e999})",                      // simdjson refuses the double; valid JSON
        R"({"pid":1,"ts":9223372036854775807})",
        R"({"pid":1,"ts":"1"})",
        R"({"pid":1})",
        R"({"ts":1})",
        "{\"pid\":1,\"ts\":1,\"x\":\"\xc3\x28\"}",      // bad UTF-8 anywhere
        "{\"pid\":1,\"ts\":1,\"x\":\"a\x01z\"}",        // raw control character in a string
        R"({"pid":1,"ts":1} x)",
        R"({"pid":1,"ts":1}})",
        R"({"pid":1,"ts":1},)",
        R"({"pid":1,"ts":1)",
        R"({"pid":1,"ts":1,})",
        R"({"pid" 1,"ts":1})",
        R"({"pid":1,"ts":1,"x" 1})",
        R"([{"pid":1,"ts":1}])",
        R"("pid")",
        R"(7)",
        R"({})",
        R"({"pid":1,"ts":1,"x":{"a":1,"a":2}})",
    };
    for (const char* text : same) {
        key_rule fast("pid", "ts", "ms"), all("pid", "ts", "ms", "all");
        const key_rule exact("pid", "ts", "ms");
        const outcome a = run(fast, text), b = run_exact(exact, text), c = run(all, text);
        INFO(text << " -> simdjson: " << a.ok << " " << a.why << " / SDK: " << b.ok << " " << b.why);
        CHECK(a.ok == b.ok);
        CHECK(a.pid == b.pid);
        CHECK(a.time_ns == b.time_ns);
        CHECK(a.why == b.why);
        CHECK(c.ok == b.ok);
        CHECK(c.why == b.why);
    }
    const char* fields_only[] = {
        R"({"pid":5,"ts":1,"x":01})",
        R"({"pid":5,"ts":1,"x":tru})",
        R"({"pid":5,"ts":1,"x":"\q"})",
        R"({"pid":5,"ts":1,"x":"\ud800"})",
        R"({"pid":5,"ts":1,"x":[1,2,]})",
    };
    for (const char* text : fields_only) {
        key_rule fast("pid", "ts", "ms"), all("pid", "ts", "ms", "all");
        const outcome a = run(fast, text), c = run(all, text);
        INFO(text << " -> fields: " << a.ok << " " << a.why << " / all: " << c.ok << " " << c.why);
        CHECK(a.ok);
        CHECK(a.pid == 5);
        CHECK(a.time_ns == 1'000'000);
        CHECK_FALSE(c.ok);
        CHECK(c.why.rfind("invalid JSON at byte ", 0) == 0);
    }
    key_rule pair("src,dst", "", "s");
    CHECK(run(pair, R"({"dst":"b\n","src":3})").pid == run_exact(pair, R"({"dst":"b\n","src":3})").pid);
    CHECK_THROWS_WITH(key_rule("pid", "", "s", "some"), Catch::Contains("setting 'check'"));
}

TEST_CASE("good lines are read by simdjson alone, bad ones by the SDK reader for their reason") {
    key_rule r("pid", "ts", "ms");
    CHECK(run(r, R"({"pid":42,"ts":1.5})").pid == 42);
    CHECK(run(r, R"({"pid":"u-17","ts":17,"page":"/a\u00e9","n":[1,{"a":null}],"b":false})").pid == fnv("u-17"));
    CHECK(run(r, R"({"p\u0069d":9,"ts":1})").pid == 9);
    CHECK(r.exact_reads() == 0);
    CHECK(run(r, R"({"pid":1,"ts":1} x)").why == "invalid JSON at byte 17: unexpected text after the object");
    CHECK(r.exact_reads() == 1);
    CHECK(run(r, R"({"pid":[1, 2],"ts":1})").pid == fnv("[1, 2]"));
    CHECK(r.exact_reads() == 2);
}

TEST_CASE("a padded line is parsed in place, whatever the padding holds") {
    key_rule r("pid", "ts", "s");
    r.reserve(256);
    // The line, then bytes of a next line that must not be read as part of it.
    std::string buf = R"({"pid":12,"ts":3})";
    const std::size_t size = buf.size();
    buf += R"(45,"ts":9}{"pid":99})" + std::string(key_rule::padding, '7');
    std::uint64_t pid = 0;
    std::int64_t time_ns = 0;
    char why[192] = "";
    REQUIRE(r.read(std::string_view(buf.data(), size), buf.size(), pid, time_ns, why, sizeof why));
    CHECK(pid == 12);
    CHECK(time_ns == 3'000'000'000);
    // Cut short, the same bytes are an unterminated object however they continue.
    CHECK_FALSE(r.read(std::string_view(buf.data(), 9), buf.size(), pid, time_ns, why, sizeof why));
    CHECK(std::string(why) == "invalid JSON at byte 9: unexpected end: unterminated object");
}
