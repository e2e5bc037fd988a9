// What the capture file readers (pcap_format.hpp, pcapng_format.hpp) hand over: one captured
// packet, and the outcome of reading at a position in the file.
#pragma once

#include <cstddef>
#include <cstdint>

namespace factory::pcap {

// The largest record or block a capture may hold: lengths above it are damage, not data, and must
// not make the reader allocate what a corrupt length field asks (a fuzzed pcapng block length of
// 4 GiB did). Real snap lengths are at most 256 KiB; jumbo pcapng blocks a few MiB.
inline constexpr std::uint32_t max_record_bytes = 16u << 20;

struct raw_record {
    const std::uint8_t* frame = nullptr; // the captured bytes; valid until the input moves on
    std::uint32_t caplen = 0;            // bytes captured
    std::uint32_t wire_length = 0;       // the packet's length on the wire
    std::int64_t time_ns = 0;            // Unix ns
    std::uint32_t link = 0;              // pcap link type
    std::uint32_t if_index = 0;          // pcapng interface number, 0 in classic pcap
};

// The outcome of one read step at the current position.
enum class step : std::uint8_t {
    packet,  // `out` holds a packet; `consumed` bytes were read
    other,   // a header or block without a packet was read (`consumed` bytes)
    need,    // `need` bytes (from the current position) must be available to go on
    corrupt, // the bytes here cannot be a record: `why` says what; the rest cannot be read
};

struct read_state {
    std::size_t consumed = 0;
    std::size_t need = 0;
};

// Reads a 16/32/64-bit integer in a file's byte order.
struct byte_order {
    bool swap = false;
    std::uint16_t u16(const std::uint8_t* p) const noexcept {
        std::uint16_t v;
        __builtin_memcpy(&v, p, 2);
        return swap ? __builtin_bswap16(v) : v;
    }
    std::uint32_t u32(const std::uint8_t* p) const noexcept {
        std::uint32_t v;
        __builtin_memcpy(&v, p, 4);
        return swap ? __builtin_bswap32(v) : v;
    }
    std::uint64_t u64(const std::uint8_t* p) const noexcept {
        std::uint64_t v;
        __builtin_memcpy(&v, p, 8);
        return swap ? __builtin_bswap64(v) : v;
    }
};

} // namespace factory::pcap
