// Product classes: how a blueprint declares the layout of the products it ships, so that every
// exporter can write them without knowing the blueprint (JSON keys, CSV columns, SQL columns,
// IPFIX information elements all come from these field names and types).
//
//   struct flow_out { std::uint64_t packets; factory::ipv4 src; char note[16]; };
//   inline const factory::schema flow_schema = factory::make_schema<flow_out>({
//       FACTORY_FIELD(flow_out, packets), FACTORY_FIELD(flow_out, src), FACTORY_FIELD(flow_out, note)});
#pragma once

#include <factory/abi.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string_view>
#include <type_traits>
#include <vector>

namespace factory {

// The last field type of this ABI version: types run from FACTORY_FIELD_U8 to this one.
inline constexpr std::uint32_t last_field_type = FACTORY_FIELD_F32;

// Field value types that are not plain integers.
struct ipv4 { std::uint8_t bytes[4]; };   // network byte order
struct ipv6 { std::uint8_t bytes[16]; };  // network byte order
struct time_ns { std::int64_t value; };   // Unix epoch nanoseconds

namespace detail {
template <class> inline constexpr bool unsupported_field_type = false;
}

// The field type of a member of type M. Any other type stops the build with the list below.
template <class M> struct field_type_of {
    static_assert(detail::unsupported_field_type<M>,
                  "a product field's type must be one of: std::uint8_t, std::uint16_t, std::uint32_t, "
                  "std::uint64_t, std::int8_t, std::int16_t, std::int32_t, std::int64_t, float, double, bool, "
                  "factory::ipv4, factory::ipv6, factory::time_ns, or char[N] (text)");
    static constexpr std::uint32_t value = 0;
};
template <> struct field_type_of<std::uint8_t> { static constexpr std::uint32_t value = FACTORY_FIELD_U8; };
template <> struct field_type_of<std::uint16_t> { static constexpr std::uint32_t value = FACTORY_FIELD_U16; };
template <> struct field_type_of<std::uint32_t> { static constexpr std::uint32_t value = FACTORY_FIELD_U32; };
template <> struct field_type_of<std::uint64_t> { static constexpr std::uint32_t value = FACTORY_FIELD_U64; };
template <> struct field_type_of<std::int8_t> { static constexpr std::uint32_t value = FACTORY_FIELD_I8; };
template <> struct field_type_of<std::int16_t> { static constexpr std::uint32_t value = FACTORY_FIELD_I16; };
template <> struct field_type_of<std::int32_t> { static constexpr std::uint32_t value = FACTORY_FIELD_I32; };
template <> struct field_type_of<std::int64_t> { static constexpr std::uint32_t value = FACTORY_FIELD_I64; };
// long long is 64 bits but, where int64_t is long, another type: the same field all the same.
template <class M>
    requires(std::is_same_v<M, long long> && !std::is_same_v<M, std::int64_t>)
struct field_type_of<M> { static constexpr std::uint32_t value = FACTORY_FIELD_I64; };
template <class M>
    requires(std::is_same_v<M, unsigned long long> && !std::is_same_v<M, std::uint64_t>)
struct field_type_of<M> { static constexpr std::uint32_t value = FACTORY_FIELD_U64; };
template <> struct field_type_of<float> { static constexpr std::uint32_t value = FACTORY_FIELD_F32; };
template <> struct field_type_of<double> { static constexpr std::uint32_t value = FACTORY_FIELD_F64; };
template <> struct field_type_of<bool> { static constexpr std::uint32_t value = FACTORY_FIELD_BOOL; };
template <> struct field_type_of<ipv4> { static constexpr std::uint32_t value = FACTORY_FIELD_IPV4; };
template <> struct field_type_of<ipv6> { static constexpr std::uint32_t value = FACTORY_FIELD_IPV6; };
template <> struct field_type_of<time_ns> { static constexpr std::uint32_t value = FACTORY_FIELD_TIME_NS; };
template <std::size_t N> struct field_type_of<char[N]> { static constexpr std::uint32_t value = FACTORY_FIELD_STRING; };

// Bytes a field of `type` occupies (0 for strings, whose size is their array's).
constexpr std::uint32_t field_type_size(std::uint32_t type) noexcept {
    switch (type) {
    case FACTORY_FIELD_U8: case FACTORY_FIELD_I8: case FACTORY_FIELD_BOOL: return 1;
    case FACTORY_FIELD_U16: case FACTORY_FIELD_I16: return 2;
    case FACTORY_FIELD_U32: case FACTORY_FIELD_I32: case FACTORY_FIELD_F32: case FACTORY_FIELD_IPV4: return 4;
    case FACTORY_FIELD_U64: case FACTORY_FIELD_I64: case FACTORY_FIELD_F64: case FACTORY_FIELD_TIME_NS: return 8;
    case FACTORY_FIELD_IPV6: return 16;
    default: return 0;
    }
}

constexpr const char* field_type_name(std::uint32_t type) noexcept {
    switch (type) {
    case FACTORY_FIELD_U8: return "u8";
    case FACTORY_FIELD_U16: return "u16";
    case FACTORY_FIELD_U32: return "u32";
    case FACTORY_FIELD_U64: return "u64";
    case FACTORY_FIELD_I8: return "i8";
    case FACTORY_FIELD_I16: return "i16";
    case FACTORY_FIELD_I32: return "i32";
    case FACTORY_FIELD_I64: return "i64";
    case FACTORY_FIELD_F32: return "f32";
    case FACTORY_FIELD_F64: return "f64";
    case FACTORY_FIELD_BOOL: return "bool";
    case FACTORY_FIELD_IPV4: return "ipv4";
    case FACTORY_FIELD_IPV6: return "ipv6";
    case FACTORY_FIELD_TIME_NS: return "time_ns";
    case FACTORY_FIELD_STRING: return "string";
    default: return "?";
    }
}

// One field of a product record; FACTORY_FIELD(T, member) builds it.
template <class M>
factory_field make_field(const char* name, std::size_t offset) noexcept {
    return factory_field{name, field_type_of<M>::value, static_cast<std::uint32_t>(offset),
                         static_cast<std::uint32_t>(sizeof(M)), 0};
}

#define FACTORY_FIELD(Record, member) \
    ::factory::make_field<std::remove_cv_t<decltype(Record::member)>>(#member, offsetof(Record, member))

// The layout of one product record type.
struct schema {
    std::uint32_t record_size = 0;
    std::vector<factory_field> fields;
};

template <class Record>
schema make_schema(std::initializer_list<factory_field> fields) {
    static_assert(std::is_trivially_copyable_v<Record> && std::is_standard_layout_v<Record>,
                  "a product record must be a trivially copyable, standard-layout struct");
    return schema{static_cast<std::uint32_t>(sizeof(Record)), std::vector<factory_field>(fields)};
}

// One product class: a name and the schema its records follow.
struct pclass_def {
    const char* name;
    const schema* layout;
};

// Reads a field from a product record. Records may be unaligned: always memcpy.
template <class T>
T read_field(const void* record, const factory_field& f) noexcept {
    T v{};
    std::memcpy(&v, static_cast<const unsigned char*>(record) + f.offset, sizeof(T));
    return v;
}

inline const factory_field* find_field(const factory_pclass& pc, std::string_view name) noexcept {
    for (std::uint32_t i = 0; i < pc.field_count; ++i)
        if (name == pc.fields[i].name) return &pc.fields[i];
    return nullptr;
}

} // namespace factory
