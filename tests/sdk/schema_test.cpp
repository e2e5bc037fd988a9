// factory/schema.hpp: the field type of every member type a product may hold.
#include <factory/schema.hpp>

#include <catch2/catch.hpp>

namespace {

struct every_width {
    std::uint8_t u8;
    std::int8_t i8;
    std::uint16_t u16;
    std::int16_t i16;
    std::uint32_t u32;
    std::int32_t i32;
    float f32;
    std::uint64_t u64;
    std::int64_t i64;
    long long ll;
    unsigned long long ull;
    double f64;
};

} // namespace

TEST_CASE("every integer and float width maps to its field type, size and name") {
    const factory::schema s = factory::make_schema<every_width>(
        {FACTORY_FIELD(every_width, u8), FACTORY_FIELD(every_width, i8), FACTORY_FIELD(every_width, u16),
         FACTORY_FIELD(every_width, i16), FACTORY_FIELD(every_width, u32), FACTORY_FIELD(every_width, i32),
         FACTORY_FIELD(every_width, f32), FACTORY_FIELD(every_width, u64), FACTORY_FIELD(every_width, i64),
         FACTORY_FIELD(every_width, ll), FACTORY_FIELD(every_width, ull), FACTORY_FIELD(every_width, f64)});
    const std::uint32_t types[] = {FACTORY_FIELD_U8,  FACTORY_FIELD_I8,  FACTORY_FIELD_U16, FACTORY_FIELD_I16,
                                   FACTORY_FIELD_U32, FACTORY_FIELD_I32, FACTORY_FIELD_F32, FACTORY_FIELD_U64,
                                   FACTORY_FIELD_I64, FACTORY_FIELD_I64, FACTORY_FIELD_U64, FACTORY_FIELD_F64};
    const char* names[] = {"u8", "i8", "u16", "i16", "u32", "i32", "f32", "u64", "i64", "i64", "u64", "f64"};
    REQUIRE(s.fields.size() == 12);
    for (std::size_t i = 0; i < s.fields.size(); ++i) {
        INFO("field " << s.fields[i].name);
        CHECK(s.fields[i].type == types[i]);
        CHECK(s.fields[i].size == factory::field_type_size(types[i]));
        CHECK(std::string(factory::field_type_name(types[i])) == names[i]);
    }
    CHECK(factory::last_field_type == FACTORY_FIELD_F32);
}
