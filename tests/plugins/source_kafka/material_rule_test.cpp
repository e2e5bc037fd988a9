// How the kafka source makes a material of a message: the pid from the key (digits: the number;
// else FNV-1a) or from JSON fields by the jsonl source's own rule, the time, the format; and the
// reasons it gives for what it rejects.
#include "source_kafka/material_rule.hpp"

#include "key_rule.hpp"

#include <factory/abi.h>
#include <factory/hash.hpp>
#include <factory/settings.hpp>

#include <catch2/catch.hpp>

#include <string>

using factory::kafka::material_rule;
using factory::kafka::pid_of_key;

namespace {

struct outcome {
    bool ok = false;
    material_rule::result r;
    std::string why;
};

outcome read(const material_rule& rule, const char* key, std::string_view value, std::int64_t ts_ms = 0) {
    outcome o;
    char why[200] = {};
    o.ok = rule.read(key, key != nullptr ? std::strlen(key) : 0, value, ts_ms, o.r, why, sizeof why);
    o.why = why;
    return o;
}

} // namespace

TEST_CASE("a message key of digits is the pid, any other key is hashed with FNV-1a 64", "[kafka]") {
    CHECK(pid_of_key("17") == 17);
    CHECK(pid_of_key("18446744073709551615") == 18446744073709551615ULL);
    CHECK(pid_of_key("18446744073709551616") == factory::fnv1a("18446744073709551616")); // 2^64: hashed
    CHECK(pid_of_key("-3") == factory::fnv1a("-3"));
    CHECK(pid_of_key("10.0.0.1") == factory::fnv1a("10.0.0.1"));
    CHECK(pid_of_key("user-42") == factory::fnv1a("user-42"));
}

TEST_CASE("key=message: a message without a key, or with an empty one, is rejected saying why", "[kafka]") {
    material_rule rule("message", "", "s", "auto");
    auto none = read(rule, nullptr, "{\"a\":1}");
    CHECK_FALSE(none.ok);
    CHECK(none.why == "no message key (key=message takes the pid from it; or name the JSON field(s) of the value "
                      "that hold it, key=FIELD)");
    auto empty = read(rule, "", "{\"a\":1}");
    CHECK_FALSE(empty.ok);
    CHECK(empty.why.rfind("an empty message key", 0) == 0);
    auto good = read(rule, "user-1", "{\"a\":1}");
    REQUIRE(good.ok);
    CHECK(good.r.pid == factory::fnv1a("user-1"));
    CHECK(good.r.time_ns == 0);
    CHECK(good.r.format == FACTORY_FORMAT_JSON);
}

TEST_CASE("key=FIELD takes the pid from the value exactly as the jsonl source does", "[kafka]") {
    material_rule rule("src,dst", "", "s", "auto");
    factory::jsonl::key_rule jsonl("src,dst", "", "s");
    for (std::string line : {"{\"src\":\"10.0.0.1\",\"dst\":\"10.0.0.2\"}", "{\"dst\":7,\"src\":8,\"x\":[1]}"}) {
        std::uint64_t want = 0;
        std::int64_t t = 0;
        char why[100];
        REQUIRE(jsonl.read(line, want, t, why, sizeof why));
        auto got = read(rule, nullptr, line); // the message key plays no part
        REQUIRE(got.ok);
        CHECK(got.r.pid == want);
    }
    auto missing = read(rule, "k", "{\"src\":1}");
    CHECK_FALSE(missing.ok);
    CHECK(missing.why == "no key field 'dst'");
    auto not_json = read(rule, "k", "plain text");
    CHECK_FALSE(not_json.ok);
    CHECK(not_json.why.rfind("invalid JSON at byte 0", 0) == 0);
}

TEST_CASE("time: none, the message timestamp, or a JSON field in time_unit", "[kafka]") {
    CHECK(read(material_rule("message", "", "s", "auto"), "1", "{}", 1700000000123).r.time_ns == 0);
    CHECK(read(material_rule("message", "message", "s", "auto"), "1", "{}", 1700000000123).r.time_ns ==
          1700000000123000000);
    auto field = read(material_rule("message", "ts", "ms", "auto"), "1", "{\"ts\":1700000000123.5}");
    REQUIRE(field.ok);
    CHECK(field.r.time_ns == 1700000000123500000);
    auto by_fields = read(material_rule("pid", "ts", "s", "auto"), nullptr, "{\"pid\":5,\"ts\":2}");
    REQUIRE(by_fields.ok);
    CHECK(by_fields.r.pid == 5);
    CHECK(by_fields.r.time_ns == 2000000000);
    auto no_time = read(material_rule("message", "ts", "s", "auto"), "1", "{\"t\":2}");
    CHECK_FALSE(no_time.ok);
    CHECK(no_time.why == "no time field 'ts'");
    auto bytes = read(material_rule("message", "ts", "s", "auto"), "1", "abc");
    CHECK_FALSE(bytes.ok);
    CHECK(bytes.why.rfind("value is not a JSON object (invalid JSON at byte 0", 0) == 0);
}

TEST_CASE("format: auto tells JSON objects from other values, json rejects the others, bytes takes all", "[kafka]") {
    material_rule automatic("message", "", "s", "auto");
    CHECK(read(automatic, "1", "{\"a\":1}").r.format == FACTORY_FORMAT_JSON);
    CHECK(read(automatic, "1", "[1,2]").r.format == FACTORY_FORMAT_BYTES);
    CHECK(read(automatic, "1", "").r.format == FACTORY_FORMAT_BYTES);
    material_rule json("message", "", "s", "json");
    auto bad = read(json, "1", "{\"a\":");
    CHECK_FALSE(bad.ok);
    CHECK(bad.why.rfind("value is not a JSON object (invalid JSON at byte", 0) == 0);
    CHECK(bad.why.find("format=json wants one") != std::string::npos);
    material_rule bytes("message", "", "s", "bytes");
    CHECK(read(bytes, "1", "{\"a\":1}").r.format == FACTORY_FORMAT_BYTES);
}

TEST_CASE("bad key, time_unit or format settings are refused, naming the setting", "[kafka]") {
    CHECK_THROWS_WITH(material_rule("", "", "s", "auto"), Catch::StartsWith("setting 'key' is empty"));
    CHECK_THROWS_WITH(material_rule("a,,b", "", "s", "auto"), Catch::StartsWith("setting 'key': 'a,,b' has an empty"));
    CHECK_THROWS_WITH(material_rule("message", "ts", "h", "auto"),
                      "setting 'time_unit': 'h' is not one of s, ms, us, ns");
    CHECK_THROWS_AS(material_rule("message", "", "s", "xml"), factory::error);
}
