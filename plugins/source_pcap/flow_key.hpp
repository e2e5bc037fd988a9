// The pid of a packet: a 64-bit hash of its flow key, so that every packet of a flow reaches the
// same worker.
//
// Keys (the source's `key` setting):
//   5tuple  one way, as pmacct and IPFIX count flows: (ip_version, protocol, src_addr, dst_addr,
//           src_port, dst_port); the two directions of a conversation are two flows.
//   biflow  both directions together, as softflowd tracks them: the same tuple with its two
//           endpoints (address, port) put in order by address alone, the smaller address bytes
//           first; the flowmeter then reports one record per direction. As in softflowd, when
//           the two addresses are equal (loopback traffic) the packet's own order is kept, so
//           the two directions of such a conversation are two flows, each with its own first
//           and last time (unless their ports are equal too).
// The VLAN and the interface are not part of the key.
//
// The hash (stable; tests and other tools may compute it): the key as five little-endian 64-bit
// words w0..w4 = the first endpoint's address bytes 0-7 and 8-15, the second's 0-7 and 8-15,
// and port1 << 48 | port2 << 32 | protocol << 8 | ip_version; then h = 0x6a09e667f3bcc909, and for
// each word h = (h ^ w) * 0x9fb21c651e98df25, h ^= h >> 32; and finally the splitmix64 finaliser
// of h. Different keys collide with probability about 2^-64 per pair; the flowmeter checks the key
// of every packet against its flow's and refuses a packet of another key (a collision).
#pragma once

#include <factory/formats.h>
#include <factory/hash.hpp>

#include <cstdint>
#include <cstring>

namespace factory::pcap {

enum class key_mode : std::uint8_t { five_tuple, biflow };

namespace detail {

inline std::uint64_t load64(const std::uint8_t* p) noexcept {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    if constexpr (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) v = __builtin_bswap64(v);
    return v;
}

inline std::uint64_t step(std::uint64_t h, std::uint64_t w) noexcept {
    h = (h ^ w) * 0x9fb21c651e98df25ULL;
    return h ^ (h >> 32);
}

inline std::uint64_t finish(std::uint64_t x) noexcept { return mix64(x); } // <factory/hash.hpp>

} // namespace detail

// True when address `a` orders after `b`: biflow keys put the smaller first. The ports play no
// part, as in softflowd (equal addresses keep the packet's order).
inline bool address_after(const std::uint8_t* a, const std::uint8_t* b) noexcept {
    return std::memcmp(a, b, 16) > 0;
}

inline std::uint64_t flow_pid(const factory_packet& p, key_mode mode) noexcept {
    const std::uint8_t* a = p.src_addr;
    const std::uint8_t* b = p.dst_addr;
    std::uint16_t ap = p.src_port, bp = p.dst_port;
    if (mode == key_mode::biflow && address_after(a, b)) {
        const std::uint8_t* t = a;
        a = b;
        b = t;
        const std::uint16_t tp = ap;
        ap = bp;
        bp = tp;
    }
    std::uint64_t h = 0x6a09e667f3bcc909ULL;
    h = detail::step(h, detail::load64(a));
    h = detail::step(h, detail::load64(a + 8));
    h = detail::step(h, detail::load64(b));
    h = detail::step(h, detail::load64(b + 8));
    h = detail::step(h, std::uint64_t{ap} << 48 | std::uint64_t{bp} << 32 | std::uint64_t{p.protocol} << 8 |
                            p.ip_version);
    return detail::finish(h);
}

} // namespace factory::pcap
