// values.hpp: the parsers the host checks settings with and plugins read them with.
#include <factory/util/values.hpp>

#include <catch2/catch.hpp>

using namespace factory::values;

TEST_CASE("booleans: the six words each way, any case, blanks trimmed") {
    bool b = false;
    for (const char* t : {"true", "YES", "On", "1", " true "}) {
        INFO(t);
        b = false;
        CHECK(parse_bool(t, b));
        CHECK(b);
    }
    for (const char* f : {"false", "No", "OFF", "0"}) {
        INFO(f);
        b = true;
        CHECK(parse_bool(f, b));
        CHECK_FALSE(b);
    }
    CHECK_FALSE(parse_bool("", b));
    CHECK_FALSE(parse_bool("truthy", b));
    CHECK_FALSE(parse_bool("2", b));
}

TEST_CASE("signed integers: sign, range, nothing trailing") {
    std::int64_t v = 0;
    CHECK(parse_int("-42", v));
    CHECK(v == -42);
    CHECK(parse_int("+7", v));
    CHECK(v == 7);
    CHECK(parse_int("9223372036854775807", v));
    CHECK(v == INT64_MAX);
    CHECK_FALSE(parse_int("9223372036854775808", v));
    CHECK_FALSE(parse_int("12abc", v));
    CHECK_FALSE(parse_int("1.5", v));
    CHECK_FALSE(parse_int("", v));
    CHECK_FALSE(parse_int("+", v));
}

TEST_CASE("unsigned integers refuse a minus sign") {
    std::uint64_t v = 0;
    CHECK(parse_uint("18446744073709551615", v));
    CHECK(v == UINT64_MAX);
    CHECK_FALSE(parse_uint("-1", v));
    CHECK_FALSE(parse_uint("18446744073709551616", v));
}

TEST_CASE("floating point: finite decimal numbers only") {
    double v = 0;
    CHECK(parse_double("0.25", v));
    CHECK(v == 0.25);
    CHECK(parse_double("-1e3", v));
    CHECK(v == -1000);
    CHECK_FALSE(parse_double("inf", v));
    CHECK_FALSE(parse_double("nan", v));
    CHECK_FALSE(parse_double("1e999", v));
    CHECK_FALSE(parse_double("1.5x", v));
    CHECK_FALSE(parse_double("", v));
}

TEST_CASE("durations: units from ns to days, a bare number is seconds") {
    std::int64_t ns = 0;
    struct c { const char* text; std::int64_t ns; };
    for (auto [text, want] : {c{"5", 5'000'000'000}, c{"5s", 5'000'000'000}, c{"250ms", 250'000'000},
                              c{"100us", 100'000}, c{"10ns", 10}, c{"1.5m", 90'000'000'000}, c{"2min", 120'000'000'000},
                              c{"2h", 7'200'000'000'000}, c{"1d", 86'400'000'000'000}, c{" 0.5 s ", 500'000'000}}) {
        INFO(text);
        CHECK(parse_duration_ns(text, ns));
        CHECK(ns == want);
    }
    CHECK_FALSE(parse_duration_ns("-1s", ns));
    CHECK_FALSE(parse_duration_ns("5 parsecs", ns));
    CHECK_FALSE(parse_duration_ns("s", ns));
    CHECK_FALSE(parse_duration_ns("", ns));
    CHECK_FALSE(parse_duration_ns("300000000d", ns)); // past int64 nanoseconds
}

TEST_CASE("sizes: binary and decimal units, any case") {
    std::uint64_t b = 0;
    struct c { const char* text; std::uint64_t bytes; };
    for (auto [text, want] : {c{"4096", 4096}, c{"4096B", 4096}, c{"64KiB", 65536}, c{"64k", 65536}, c{"1MiB", 1u << 20},
                              c{"2gib", 2ull << 30}, c{"1KB", 1000}, c{"3MB", 3'000'000}, c{"1GB", 1'000'000'000},
                              c{"0.5KiB", 512}}) {
        INFO(text);
        CHECK(parse_size(text, b));
        CHECK(b == want);
    }
    CHECK_FALSE(parse_size("lots", b));
    CHECK_FALSE(parse_size("5TB", b));
    CHECK_FALSE(parse_size("-1", b));
}

TEST_CASE("enum choices are whole words of the list") {
    CHECK(is_choice("fast", "fast|slow"));
    CHECK(is_choice(" slow ", "fast|slow"));
    CHECK_FALSE(is_choice("fa", "fast|slow"));
    CHECK_FALSE(is_choice("fast|slow", "fast|slow"));
    CHECK_FALSE(is_choice("", "fast|slow"));
}
