// factory/util/render.hpp: whole records from a pclass, as JSON, CSV and text.
#include <factory/util/json.hpp>
#include <factory/util/render.hpp>
#include <factory/schema.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

namespace render = factory::render;

namespace {

struct every_type {
    std::uint8_t u8;
    std::uint16_t u16;
    std::uint32_t u32;
    std::uint64_t u64;
    std::int64_t i64;
    double f64;
    bool flag;
    factory::ipv4 v4;
    factory::ipv6 v6;
    factory::time_ns at;
    char name[12];
};

const factory::schema every_schema = factory::make_schema<every_type>({
    FACTORY_FIELD(every_type, u8), FACTORY_FIELD(every_type, u16), FACTORY_FIELD(every_type, u32),
    FACTORY_FIELD(every_type, u64), FACTORY_FIELD(every_type, i64), FACTORY_FIELD(every_type, f64),
    FACTORY_FIELD(every_type, flag), FACTORY_FIELD(every_type, v4), FACTORY_FIELD(every_type, v6),
    FACTORY_FIELD(every_type, at), FACTORY_FIELD(every_type, name)});

const factory_pclass every_pclass{"every", every_schema.record_size,
                                  static_cast<std::uint32_t>(every_schema.fields.size()),
                                  every_schema.fields.data()};

every_type sample() {
    every_type r{};
    r.u8 = 255;
    r.u16 = 65535;
    r.u32 = 4294967295u;
    r.u64 = 18446744073709551615ULL;
    r.i64 = -42;
    r.f64 = 0.1;
    r.flag = true;
    r.v4 = {{10, 0, 0, 1}};
    r.v6 = {{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
    r.at.value = 1'700'000'000'123'456'789;
    std::memcpy(r.name, "a \"b\",c", 7);
    return r;
}

} // namespace

TEST_CASE("a record as a JSON object, field names as keys, times as integers") {
    every_type r = sample();
    std::string out;
    render::append_json(out, every_pclass, &r);
    CHECK(out == "{\"u8\":255,\"u16\":65535,\"u32\":4294967295,\"u64\":18446744073709551615,\"i64\":-42,"
                 "\"f64\":0.1,\"flag\":true,\"v4\":\"10.0.0.1\",\"v6\":\"2001:db8::1\","
                 "\"at\":1700000000123456789,\"name\":\"a \\\"b\\\",c\"}");
    CHECK(factory::json::validate_object(out).ok());
}

TEST_CASE("a record as JSON with ISO times, non-finite doubles are null") {
    every_type r = sample();
    r.f64 = std::numeric_limits<double>::quiet_NaN();
    r.flag = false;
    std::string out;
    render::append_json(out, every_pclass, &r, render::options{render::time_format::iso8601});
    CHECK(out.find("\"f64\":null") != std::string::npos);
    CHECK(out.find("\"flag\":false") != std::string::npos);
    CHECK(out.find("\"at\":\"2023-11-14T22:13:20.123Z\"") != std::string::npos);
    CHECK(factory::json::validate_object(out).ok());
}

TEST_CASE("a record as a CSV header and row") {
    every_type r = sample();
    std::string head, row;
    render::append_csv_header(head, every_pclass);
    render::append_csv_row(row, every_pclass, &r);
    CHECK(head == "u8,u16,u32,u64,i64,f64,flag,v4,v6,at,name");
    CHECK(row == "255,65535,4294967295,18446744073709551615,-42,0.1,true,10.0.0.1,2001:db8::1,"
                 "1700000000123456789,\"a \"\"b\"\",c\"");
}

TEST_CASE("a record as key=value text") {
    every_type r = sample();
    std::string out;
    render::append_text(out, every_pclass, &r, render::options{render::time_format::iso8601});
    CHECK(out == "u8=255 u16=65535 u32=4294967295 u64=18446744073709551615 i64=-42 f64=0.1 flag=true "
                 "v4=10.0.0.1 v6=2001:db8::1 at=2023-11-14T22:13:20.123Z name=\"a \\\"b\\\",c\"");
    std::memcpy(r.name, "plain\0\0\0\0\0\0\0", 12);
    out.clear();
    render::append_text(out, every_pclass, &r);
    CHECK(out.substr(out.find("name=")) == "name=plain");
}

TEST_CASE("a bool field is true for any non-zero byte") {
    every_type r = sample();
    std::uint8_t two = 2;
    std::memcpy(reinterpret_cast<unsigned char*>(&r) + offsetof(every_type, flag), &two, 1);
    std::string out;
    render::append_field(out, every_schema.fields[6], &r, render::style::json);
    CHECK(out == "true");
}

TEST_CASE("a field lying outside the record is written as null / empty") {
    factory_field fields[2] = {{"ok", FACTORY_FIELD_U32, 0, 4, 0}, {"bad", FACTORY_FIELD_U64, 4, 8, 0}};
    factory_pclass pc{"broken", 8, 2, fields};
    unsigned char rec[8] = {1, 0, 0, 0, 0, 0, 0, 0};
    std::string json, csv;
    render::append_json(json, pc, rec);
    render::append_csv_row(csv, pc, rec);
    CHECK(json == "{\"ok\":1,\"bad\":null}");
    CHECK(csv == "1,");
}

TEST_CASE("rendering into a warm string does not reallocate") {
    every_type r = sample();
    std::string out;
    out.reserve(4096);
    const char* data = out.data();
    const std::size_t capacity = out.capacity();
    for (int i = 0; i < 1000; ++i) {
        out.clear();
        r.u64 = static_cast<std::uint64_t>(i) * 7919;
        render::append_json(out, every_pclass, &r, render::options{render::time_format::iso8601});
        out.push_back('\n');
        render::append_csv_row(out, every_pclass, &r);
        render::append_text(out, every_pclass, &r);
    }
    CHECK(out.data() == data);
    CHECK(out.capacity() == capacity);
}

namespace {

struct narrow_types {
    std::int8_t i8;
    std::int16_t i16;
    std::int32_t i32;
    float f32;
};

const factory::schema narrow_schema = factory::make_schema<narrow_types>(
    {FACTORY_FIELD(narrow_types, i8), FACTORY_FIELD(narrow_types, i16), FACTORY_FIELD(narrow_types, i32),
     FACTORY_FIELD(narrow_types, f32)});

const factory_pclass narrow_pclass{"narrow", narrow_schema.record_size,
                                   static_cast<std::uint32_t>(narrow_schema.fields.size()),
                                   narrow_schema.fields.data()};

} // namespace

TEST_CASE("signed 8, 16 and 32-bit fields and floats in every format") {
    narrow_types r{-128, -32768, -2147483647 - 1, 0.1f};
    std::string json, csv, text;
    render::append_json(json, narrow_pclass, &r);
    render::append_csv_row(csv, narrow_pclass, &r);
    render::append_text(text, narrow_pclass, &r);
    // A float is written as the shortest text of the float, not of its double (0.100000001...).
    CHECK(json == "{\"i8\":-128,\"i16\":-32768,\"i32\":-2147483648,\"f32\":0.1}");
    CHECK(csv == "-128,-32768,-2147483648,0.1");
    CHECK(text == "i8=-128 i16=-32768 i32=-2147483648 f32=0.1");

    r = {127, 32767, 2147483647, std::numeric_limits<float>::infinity()};
    json.clear();
    csv.clear();
    render::append_json(json, narrow_pclass, &r);
    render::append_csv_row(csv, narrow_pclass, &r);
    CHECK(json == "{\"i8\":127,\"i16\":32767,\"i32\":2147483647,\"f32\":null}");
    CHECK(csv == "127,32767,2147483647,inf");
}
