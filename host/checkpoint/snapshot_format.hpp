// The fixed parts of a snapshot file, shared by its writer and its reader only (snapshot.hpp
// describes the whole format). Plain structs written as they are in memory: the format is
// little-endian, which the static_assert pins.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

namespace factory::checkpoint::format {

static_assert(std::endian::native == std::endian::little, "snapshot files are little-endian");

inline constexpr char magic[8] = {'F', 'A', 'C', 'T', 'S', 'N', 'A', 'P'};
inline constexpr char end_magic[8] = {'S', 'N', 'A', 'P', 'E', 'N', 'D', '\0'};

struct header {
    char magic[8];
    std::uint32_t version;
    std::uint32_t part;
    std::uint64_t file_bytes; // filled in by finish(); hashed as 0
    std::uint64_t epoch;
    std::uint64_t layout;
    std::uint32_t index;
    std::uint32_t state_size;
    std::uint32_t state_align;
    std::uint16_t name_bytes;
    std::uint16_t version_bytes;
};
static_assert(sizeof(header) == 56);
inline constexpr std::size_t file_bytes_offset = offsetof(header, file_bytes);

struct footer {
    std::uint64_t trailer_offset;
    std::uint64_t file_bytes;
    std::uint64_t checksum; // of every byte before it (header length as 0), then file_bytes
    char end_magic[8];
};
static_assert(sizeof(footer) == 32);
inline constexpr std::size_t hashed_footer_bytes = offsetof(footer, checksum);

constexpr std::size_t pad8(std::size_t n) noexcept { return (n + 7) & ~std::size_t{7}; }

} // namespace factory::checkpoint::format
