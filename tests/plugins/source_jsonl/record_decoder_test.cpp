// Typed materials in the jsonl source: each line's layout fields decoded in key_rule's simdjson walk
// (record_decoder.hpp), and the source adding FACTORY_FORMAT_RECORD materials.
#include "source_jsonl/jsonl_source.hpp"
#include "source_jsonl/key_rule.hpp"
#include "source_jsonl/record_decoder.hpp"
#include "support/fake_purchasing.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <factory/schema.hpp>

#include <cstring>
#include <string>

using factory::jsonl::key_rule;
using factory::jsonl::record_decoder;

namespace {

struct every {
    std::uint64_t u64;
    std::int64_t i64;
    double f64;
    factory::time_ns t;
    std::uint32_t u32;
    std::int32_t i32;
    float f32;
    std::uint16_t u16;
    std::int16_t i16;
    std::uint8_t u8;
    std::int8_t i8;
    bool b;
    char s[8];
    factory::ipv4 v4;
    factory::ipv6 v6;
};

const factory::schema every_schema = factory::make_schema<every>({
    FACTORY_FIELD(every, u64), FACTORY_FIELD(every, i64), FACTORY_FIELD(every, f64), FACTORY_FIELD(every, t),
    FACTORY_FIELD(every, u32), FACTORY_FIELD(every, i32), FACTORY_FIELD(every, f32), FACTORY_FIELD(every, u16),
    FACTORY_FIELD(every, i16), FACTORY_FIELD(every, u8), FACTORY_FIELD(every, i8), FACTORY_FIELD(every, b),
    FACTORY_FIELD(every, s), FACTORY_FIELD(every, v4), FACTORY_FIELD(every, v6),
});

factory_pclass layout_of(const factory::schema& s) {
    return factory_pclass{"material", s.record_size, static_cast<std::uint32_t>(s.fields.size()), s.fields.data()};
}

// A key rule (key=user, time=ts in ms, check as given) that decodes into `every`.
struct typed_rule {
    explicit typed_rule(std::string_view check = "fields", std::string_view renames = {})
        : layout(layout_of(every_schema)), rule("user", "ts", "ms", check), dec(layout, rule.time_exp(), renames) {
        rule.decode_into(&dec);
    }
    // True and the record in `out`, or false and the reason in `why`.
    bool read(const std::string& line) {
        char buf[192] = "";
        std::uint64_t pid = 0;
        const bool ok = rule.read(line, pid, time_ns, buf, sizeof buf);
        why = buf;
        std::memcpy(&out, dec.record(), sizeof out);
        return ok;
    }
    factory_pclass layout;
    key_rule rule;
    record_decoder dec;
    every out{};
    std::int64_t time_ns = 0;
    std::string why;
};

const std::string full =
    R"({"user":1,"ts":1700000000123,"u64":18446744073709551615,"i64":-9223372036854775808,"f64":2.5e-3,)"
    R"("t":1700000000456,"u32":4294967295,"i32":-2147483648,"f32":1.5,"u16":65535,"i16":-32768,"u8":255,)"
    R"("i8":-128,"b":true,"s":"a\"b\u00e9","v4":"192.0.2.1","v6":"2001:db8::1"})";

} // namespace

TEST_CASE("typed materials: every field type is decoded from its member") {
    for (const char* check : {"fields", "all"}) {
        INFO("check=" << check);
        typed_rule r(check);
        REQUIRE(r.read(full));
        CHECK(r.time_ns == 1'700'000'000'123'000'000);
        CHECK(r.out.u64 == UINT64_MAX);
        CHECK(r.out.i64 == INT64_MIN);
        CHECK(r.out.f64 == 2.5e-3);
        CHECK(r.out.t.value == 1'700'000'000'456'000'000); // in the source's time_unit (ms)
        CHECK(r.out.u32 == UINT32_MAX);
        CHECK(r.out.i32 == INT32_MIN);
        CHECK(r.out.f32 == 1.5f);
        CHECK(r.out.u16 == 65535);
        CHECK(r.out.i16 == -32768);
        CHECK(r.out.u8 == 255);
        CHECK(r.out.i8 == -128);
        CHECK(r.out.b);
        CHECK(std::string(r.out.s, 5) == "a\"b\xc3\xa9"); // unescaped, NUL-padded
        CHECK(r.out.s[5] == 0);
        CHECK(r.out.s[7] == 0);
        const unsigned char v4[4] = {192, 0, 2, 1};
        CHECK(std::memcmp(r.out.v4.bytes, v4, 4) == 0);
        CHECK(r.out.v6.bytes[0] == 0x20);
        CHECK(r.out.v6.bytes[1] == 0x01);
        CHECK(r.out.v6.bytes[15] == 1);
    }
}

TEST_CASE("typed materials: a missing or null member leaves its field zero, the first of two counts") {
    typed_rule r;
    REQUIRE(r.read(full));
    REQUIRE(r.read(R"({"user":2,"ts":5,"u8":7,"u8":9,"s":null,"b":false})")); // a second line: all cleared
    CHECK(r.out.u8 == 7);
    CHECK(r.out.u64 == 0);
    CHECK(r.out.i64 == 0);
    CHECK(r.out.f64 == 0);
    CHECK(r.out.t.value == 0);
    CHECK(!r.out.b);
    CHECK(std::string(r.out.s, 8) == std::string(8, '\0'));
    CHECK(r.out.v4.bytes[0] == 0);
}

TEST_CASE("typed materials: a string longer than its field is refused, one that fills it is kept") {
    typed_rule r;
    REQUIRE(r.read(R"({"user":1,"ts":1,"s":"12345678"})"));
    CHECK(std::string(r.out.s, 8) == "12345678");
    CHECK_FALSE(r.read(R"({"user":1,"ts":1,"s":"123456789"})"));
    CHECK(r.why == "field 's': a string of 9 bytes is longer than the field's 8");
}

TEST_CASE("typed materials: a value of the wrong type is refused naming the field") {
    struct bad { const char* member; const char* says; };
    const bad cases[] = {
        {R"("u64":"12")", "field 'u64': expected an integer, got a string"},
        {R"("u8":1.5)", "field 'u8': expected an integer, got 1.5"},
        {R"("u8":256)", "field 'u8': 256 is out of the range of u8"},
        {R"("u32":-1)", "field 'u32': -1 is out of the range of u32"},
        {R"("i8":-129)", "field 'i8': -129 is out of the range of i8"},
        {R"("i64":9223372036854775808)", "field 'i64': 9223372036854775808 is out of the range of i64"},
        {R"("f32":1e39)", "field 'f32': 1e39 is out of the range of f32"},
        {R"("f64":true)", "field 'f64': expected a number, got a boolean"},
        {R"("t":"now")", "field 't': expected a number (a time), got a string"},
        {R"("b":1)", "field 'b': expected true or false, got a number"},
        {R"("s":5)", "field 's': expected a string, got a number"},
        {R"("s":{"x":1})", "field 's': expected a string, got an object or array"},
        {R"("s":["x"])", "field 's': expected a string, got an object or array"},
        {R"("v4":"300.1.1.1")", "field 'v4': '300.1.1.1' is not an ipv4 address"},
        {R"("v6":"192.0.2.1")", "field 'v6': '192.0.2.1' is not an ipv6 address"},
        {R"("v4":3232235777)", "field 'v4': expected an address as a string, got a number"},
    };
    for (const char* check : {"fields", "all"}) {
        typed_rule r(check);
        for (const auto& c : cases) {
            INFO("check=" << check << " member " << c.member);
            CHECK_FALSE(r.read(std::string(R"({"user":1,"ts":1,)") + c.member + "}"));
            CHECK(r.why == c.says);
        }
    }
}

TEST_CASE("typed materials: a bad line keeps the key rule's reason, a key only the SDK reader takes is refused") {
    typed_rule r;
    CHECK_FALSE(r.read(R"({"user":1,"ts":1,"u8":01})"));
    CHECK_THAT(r.why, Catch::StartsWith("invalid JSON at byte"));
    CHECK_FALSE(r.read(R"({"ts":1,"u8":1})"));
    CHECK(r.why == "no key field 'user'");
    CHECK_FALSE(r.read(R"({"user":[1,2],"ts":1,"u8":1})"));
    CHECK(r.why == "cannot be decoded into the blueprint's record: a key or time field is an array, an object or a "
                   "number simdjson cannot read");
}

TEST_CASE("typed materials: rename reads a field from another member, a bad rename names the setting") {
    typed_rule r("fields", "s=name, u8=level");
    REQUIRE(r.read(R"({"user":1,"ts":1,"s":"no","name":"yes","level":3,"u8":4})"));
    CHECK(std::string(r.out.s) == "yes");
    CHECK(r.out.u8 == 3);
    const factory_pclass l = layout_of(every_schema);
    CHECK_THROWS_WITH(record_decoder(l, 0, "page=url"),
                      Catch::StartsWith("setting 'rename': 'page' is not a field of the blueprint's record (its "
                                        "fields: u64, i64,"));
    CHECK_THROWS_WITH(record_decoder(l, 0, "s"), Catch::StartsWith("setting 'rename': 's' is not FIELD=MEMBER"));
    CHECK_THROWS_WITH(record_decoder(l, 0, "s=a\"b"), Catch::StartsWith("setting 'rename': 's=a\"b' is not FIELD=MEMBER"));
}

TEST_CASE("the jsonl source adds typed records when given a layout, raw lines with typed=false or without one") {
    using factory::testing::fake_purchasing;
    factory::testing::temp_dir d;
    factory::testing::write_file(d / "in.jsonl",
                                 "{\"user\":3,\"ts\":10,\"u8\":200,\"s\":\"hi\"}\n{\"user\":4,\"ts\":11,\"u8\":\"x\"}\n");
    const factory_descriptor* desc = factory::detail::source_descriptor<factory::jsonl::jsonl_source>();
    CHECK(desc->material_flags == FACTORY_MATERIAL_FILLS_RECORDS);
    const factory_pclass l = layout_of(every_schema);
    SECTION("typed") {
        fake_purchasing p(desc, {{"file", d / "in.jsonl"}, {"key", "user"}, {"time", "ts"}});
        p.host.give_material_layout(&l);
        REQUIRE(p.open() == FACTORY_OK);
        CHECK(p.fill_to_end(100) == FACTORY_END);
        REQUIRE(p.room.materials.size() == 1);
        const auto& m = p.room.materials[0];
        CHECK(m.pid == 3);
        CHECK(m.time_ns == 10'000'000'000);
        CHECK(m.format == FACTORY_FORMAT_RECORD);
        REQUIRE(m.payload.size() == sizeof(every));
        const every e = m.as<every>();
        CHECK(e.u8 == 200);
        CHECK(std::string(e.s) == "hi");
        REQUIRE(p.room.rejects.size() == 1);
        CHECK(p.room.rejects[0].reason == "line 2: field 'u8': expected an integer, got a string");
        CHECK(p.room.rejects[0].data == "{\"user\":4,\"ts\":11,\"u8\":\"x\"}");
    }
    SECTION("typed=false") {
        fake_purchasing p(desc, {{"file", d / "in.jsonl"}, {"key", "user"}, {"typed", "false"}});
        p.host.give_material_layout(&l);
        REQUIRE(p.open() == FACTORY_OK);
        CHECK(p.fill_to_end(100) == FACTORY_END);
        REQUIRE(p.room.materials.size() == 2);
        CHECK(p.room.materials[1].format == FACTORY_FORMAT_JSON);
        CHECK(p.room.materials[1].text() == "{\"user\":4,\"ts\":11,\"u8\":\"x\"}");
    }
    SECTION("no layout") {
        fake_purchasing p(desc, {{"file", d / "in.jsonl"}, {"key", "user"}});
        REQUIRE(p.open() == FACTORY_OK);
        CHECK(p.fill_to_end(100) == FACTORY_END);
        REQUIRE(p.room.materials.size() == 2);
        CHECK(p.room.materials[0].format == FACTORY_FORMAT_JSON);
    }
    SECTION("a rename naming no field refuses the open") {
        fake_purchasing p(desc, {{"file", d / "in.jsonl"}, {"rename", "nope=x"}});
        p.host.give_material_layout(&l);
        CHECK(p.open() == FACTORY_ERROR);
        CHECK_THAT(p.error, Catch::StartsWith("setting 'rename': 'nope' is not a field of the blueprint's record"));
    }
}
