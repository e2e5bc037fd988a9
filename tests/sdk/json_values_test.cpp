// factory/util/json.hpp: reading member values and unescaping strings.
#include <factory/util/json.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <iostream>
#include <string>

namespace json = factory::json;

namespace {

json::member number(std::string_view text) { return json::member{"k", text, json::kind::number}; }

} // namespace

TEST_CASE("to_u64 takes digits only, within 64 bits") {
    std::uint64_t v = 0;
    CHECK(json::to_u64(number("0"), v));
    CHECK(v == 0);
    CHECK(json::to_u64(number("18446744073709551615"), v));
    CHECK(v == 18446744073709551615ULL);
    CHECK_FALSE(json::to_u64(number("18446744073709551616"), v));
    CHECK_FALSE(json::to_u64(number("-1"), v));
    CHECK_FALSE(json::to_u64(number("1.0"), v));
    CHECK_FALSE(json::to_u64(number("1e3"), v));
    CHECK_FALSE(json::to_u64(json::member{"k", "12", json::kind::string}, v));
}

TEST_CASE("to_i64, to_double and to_bool") {
    std::int64_t i = 0;
    CHECK(json::to_i64(number("-9223372036854775808"), i));
    CHECK(i == INT64_MIN);
    CHECK_FALSE(json::to_i64(number("9223372036854775808"), i));
    CHECK_FALSE(json::to_i64(number("-1.5"), i));
    double d = 0;
    CHECK(json::to_double(number("-1.25e-3"), d));
    CHECK(d == -0.00125);
    CHECK(json::to_double(number("12"), d));
    CHECK(d == 12.0);
    CHECK_FALSE(json::to_double(number("1e999"), d));
    bool b = false;
    CHECK(json::to_bool(json::member{"k", "true", json::kind::boolean}, b));
    CHECK(b);
    CHECK(json::to_bool(json::member{"k", "false", json::kind::boolean}, b));
    CHECK_FALSE(b);
    CHECK_FALSE(json::to_bool(json::member{"k", "null", json::kind::null}, b));
}

TEST_CASE("unescape decodes every escape into the caller's buffer") {
    char buf[64];
    std::string_view raw = R"(a\"\\\/\b\f\n\r\t\u0041\u00e9\u20ac\ud83d\ude00z)";
    std::size_t n = json::unescape(raw, buf, sizeof buf);
    REQUIRE(n != json::npos);
    CHECK(std::string(buf, n) == "a\"\\/\b\f\n\r\tA\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z");
    CHECK(json::unescape("plain", buf, 5) == 5);
    CHECK(json::unescape("plain", buf, 4) == json::npos);          // does not fit
    CHECK(json::unescape(R"(\u00e9)", buf, 1) == json::npos);     // 2 bytes into 1
    CHECK(json::unescape(R"(\x)", buf, sizeof buf) == json::npos);
    CHECK(json::unescape(R"(\ud800)", buf, sizeof buf) == json::npos);
    CHECK(json::unescape(R"(\u00)", buf, sizeof buf) == json::npos);
    CHECK(json::unescape("", buf, 0) == 0);
}

TEST_CASE("equals compares the decoded text") {
    CHECK(json::equals("pid", "pid"));
    CHECK(json::equals(R"(p\u0069d)", "pid"));
    CHECK_FALSE(json::equals(R"(p\u0069d)", "pi"));
    CHECK_FALSE(json::equals(R"(p\u0069d)", "pidx"));
    CHECK_FALSE(json::equals("pid", "PID"));
    CHECK(json::equals(R"(\n)", "\n"));
    CHECK(json::equals("", ""));
}

TEST_CASE("kind names") {
    CHECK(std::string(json::to_string(json::kind::object)) == "object");
    CHECK(std::string(json::to_string(json::kind::number)) == "number");
}

// A figure, not a test: ./test_sdk "[bench]"
TEST_CASE("validation speed on typical lines", "[.][bench]") {
    std::string line = R"({"pid":1234567,"src":"10.1.2.3","dst":"192.168.100.200","sport":51234,"dport":443,)"
                       R"("protocol":"tcp","bytes":1500,"ts":1700000000123,"note":"a fairly ordinary line of )"
                       R"(text with some words in it","tags":["a","b","c"],"ok":true})";
    std::size_t total = 0, ok = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 2'000'000; ++i) {
        ok += json::validate_object(line).ok();
        total += line.size();
    }
    std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
    std::cout << "json: " << total / dt.count() / 1e9 << " GB/s (" << line.size() << "-byte lines, " << ok
              << " valid)\n";
}
