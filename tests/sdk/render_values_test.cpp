// factory/util/render.hpp: each value type on its own.
#include <factory/util/render.hpp>

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <ctime>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>

namespace render = factory::render;

namespace {

template <class F>
std::string rendered(F f) {
    std::string s;
    f(s);
    return s;
}

std::string ipv6(const char* text) {
    unsigned char b[16];
    REQUIRE(inet_pton(AF_INET6, text, b) == 1);
    return rendered([&](std::string& s) { render::append_ipv6(s, b); });
}

std::string iso(std::int64_t ns) {
    return rendered([&](std::string& s) { render::append_iso8601(s, ns); });
}

// The same instant through the C library, for comparison.
std::string iso_by_libc(std::int64_t ns) {
    std::int64_t ms = ns / 1000000 - (ns % 1000000 < 0 ? 1 : 0);
    std::int64_t secs = ms / 1000 - (ms % 1000 < 0 ? 1 : 0);
    std::time_t t = static_cast<std::time_t>(secs);
    std::tm tm{};
    REQUIRE(gmtime_r(&t, &tm) != nullptr);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms - secs * 1000));
    return buf;
}

} // namespace

TEST_CASE("integers") {
    CHECK(rendered([](std::string& s) { render::append_u64(s, 0); }) == "0");
    CHECK(rendered([](std::string& s) { render::append_u64(s, UINT64_MAX); }) == "18446744073709551615");
    CHECK(rendered([](std::string& s) { render::append_i64(s, INT64_MIN); }) == "-9223372036854775808");
    CHECK(rendered([](std::string& s) { render::append_i64(s, -1); }) == "-1");
}

TEST_CASE("doubles: shortest text that reads back the same") {
    auto f = [](double v) { return rendered([&](std::string& s) { render::append_f64(s, v); }); };
    CHECK(f(0.1) == "0.1");
    CHECK(f(1.5) == "1.5");
    CHECK(f(-0.0) == "-0");
    CHECK(f(100) == "100");
    CHECK(f(1e20) == "1e+20");
    CHECK(f(std::numeric_limits<double>::quiet_NaN()) == "nan");
    CHECK(f(std::numeric_limits<double>::infinity()) == "inf");
    CHECK(f(-std::numeric_limits<double>::infinity()) == "-inf");
    std::mt19937_64 rng(5);
    for (int i = 0; i < 10000; ++i) {
        std::uint64_t bits = rng();
        double v;
        std::memcpy(&v, &bits, sizeof v);
        if (!std::isfinite(v)) continue;
        std::string s = f(v);
        CHECK(std::strtod(s.c_str(), nullptr) == v);
    }
}

TEST_CASE("IPv4 dotted quad") {
    auto f = [](std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
        unsigned char x[4] = {a, b, c, d};
        return rendered([&](std::string& s) { render::append_ipv4(s, x); });
    };
    CHECK(f(192, 0, 2, 1) == "192.0.2.1");
    CHECK(f(0, 0, 0, 0) == "0.0.0.0");
    CHECK(f(255, 255, 255, 255) == "255.255.255.255");
}

TEST_CASE("IPv6 as RFC 5952 recommends") {
    CHECK(ipv6("2001:0db8:0000:0000:0000:0000:0000:0001") == "2001:db8::1");
    CHECK(ipv6("2001:DB8::ABCD") == "2001:db8::abcd");
    CHECK(ipv6("2001:db8:0:0:1:0:0:1") == "2001:db8::1:0:0:1");     // equal runs: the first
    CHECK(ipv6("2001:0:0:1:0:0:0:1") == "2001:0:0:1::1");            // the longest run
    CHECK(ipv6("2001:db8:0:1:1:1:1:1") == "2001:db8:0:1:1:1:1:1");   // one zero group stays
    CHECK(ipv6("::") == "::");
    CHECK(ipv6("::1") == "::1");
    CHECK(ipv6("1::") == "1::");
    CHECK(ipv6("fe80::") == "fe80::");
    CHECK(ipv6("1:2:3:4:5:6:7:8") == "1:2:3:4:5:6:7:8");
    CHECK(ipv6("::ffff:192.0.2.1") == "::ffff:192.0.2.1");           // IPv4-mapped
    CHECK(ipv6("0:0:1::") == "0:0:1::");
}

TEST_CASE("IPv6: agrees with inet_ntop on random and zero-heavy addresses") {
    std::mt19937_64 rng(9);
    for (int i = 0; i < 20000; ++i) {
        unsigned char b[16];
        for (int g = 0; g < 8; ++g) {
            unsigned v = rng() % 3 == 0 ? static_cast<unsigned>(rng() & 0xffff) : 0;
            b[2 * g] = static_cast<unsigned char>(v >> 8);
            b[2 * g + 1] = static_cast<unsigned char>(v);
        }
        // glibc also writes ::a.b.c.d (deprecated IPv4-compatible form): not what RFC 5952 wants.
        bool compat = std::all_of(b, b + 12, [](unsigned char c) { return c == 0; });
        if (compat) continue;
        char want[INET6_ADDRSTRLEN];
        REQUIRE(inet_ntop(AF_INET6, b, want, sizeof want) != nullptr);
        std::string got = rendered([&](std::string& s) { render::append_ipv6(s, b); });
        INFO(want);
        CHECK(got == want);
    }
}

TEST_CASE("ISO 8601 UTC with milliseconds, rounded towards the past") {
    CHECK(iso(0) == "1970-01-01T00:00:00.000Z");
    CHECK(iso(1'700'000'000'123'456'789) == "2023-11-14T22:13:20.123Z");
    CHECK(iso(999'999) == "1970-01-01T00:00:00.000Z");
    CHECK(iso(-1) == "1969-12-31T23:59:59.999Z");
    CHECK(iso(951'782'400'000'000'000) == "2000-02-29T00:00:00.000Z");
    CHECK(iso(1'709'251'199'999'000'000) == "2024-02-29T23:59:59.999Z");
    CHECK(iso(INT64_MIN) == "1677-09-21T00:12:43.145Z");
    CHECK(iso(INT64_MAX) == "2262-04-11T23:47:16.854Z");
    std::mt19937_64 rng(3);
    for (int i = 0; i < 20000; ++i) {
        auto ns = static_cast<std::int64_t>(rng());
        INFO(ns);
        CHECK(iso(ns) == iso_by_libc(ns));
    }
}

TEST_CASE("JSON strings: escapes, control characters, invalid UTF-8") {
    auto j = [](std::string_view v) { return rendered([&](std::string& s) { render::append_json_string(s, v); }); };
    CHECK(j("plain") == "\"plain\"");
    CHECK(j("") == "\"\"");
    CHECK(j("a\"b\\c") == "\"a\\\"b\\\\c\"");
    CHECK(j("\n\r\t\b\f") == "\"\\n\\r\\t\\b\\f\"");
    CHECK(j(std::string_view("\x01\x1f\0", 3)) == "\"\\u0001\\u001f\\u0000\"");
    CHECK(j("/ \x7f") == "\"/ \x7f\"");
    CHECK(j("\xc3\xa9\xf0\x9f\x98\x80") == "\"\xc3\xa9\xf0\x9f\x98\x80\"");
    CHECK(j("a\xff" "b\xc3") == "\"a\xef\xbf\xbd" "b\xef\xbf\xbd\"");
    CHECK(j("\xed\xa0\x80") == "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
}

TEST_CASE("CSV fields are quoted only when they must be") {
    auto c = [](std::string_view v) { return rendered([&](std::string& s) { render::append_csv_field(s, v); }); };
    CHECK(c("plain text") == "plain text");
    CHECK(c("") == "");
    CHECK(c("a,b") == "\"a,b\"");
    CHECK(c("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(c("two\nlines") == "\"two\nlines\"");
    CHECK(c("cr\r") == "\"cr\r\"");
}

TEST_CASE("CSV fields: invalid UTF-8 becomes U+FFFD as in JSON, quoted or not, and valid UTF-8 stays") {
    auto c = [](std::string_view v) { return rendered([&](std::string& s) { render::append_csv_field(s, v); }); };
    CHECK(c("\xc3\xa9\xf0\x9f\x98\x80") == "\xc3\xa9\xf0\x9f\x98\x80");
    CHECK(c("a\xff" "b\xc3") == "a\xef\xbf\xbd" "b\xef\xbf\xbd");
    CHECK(c("\xed\xa0\x80") == "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    CHECK(c("\"\xff\",\x80") == "\"\"\"\xef\xbf\xbd\"\",\xef\xbf\xbd\"");
}

TEST_CASE("string fields end at the first NUL") {
    char a[8] = {'a', 'b', 0, 'x', 0, 0, 0, 0};
    CHECK(render::string_field(a, sizeof a) == "ab");
    char full[4] = {'w', 'x', 'y', 'z'};
    CHECK(render::string_field(full, sizeof full) == "wxyz");
    char none[4] = {};
    CHECK(render::string_field(none, sizeof none).empty());
}
