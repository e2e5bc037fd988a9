// The capture maker, part 1: one captured frame built from a description of its headers.
//
// A packet_spec says what a packet is (link layer, VLAN tags, IP version and addresses, transport
// header, payload size, fragment fields, damage); build_frame() writes its bytes exactly as a
// capture would hold them, and facts_of() says, from the spec alone and without reading those
// bytes, what a correct decoder must find in it (the 5-tuple, the lengths, or why it cannot form
// a flow). Tests check a decoder against facts_of(); expected.hpp computes flows from it.
//
// Frames:
//   - link ethernet: destination and source MAC, then 0, 1 or 2 VLAN tags (one tag: TPID 0x8100;
//     two: QinQ, outer TPID `outer_tpid` (0x88a8 unless set), inner 0x8100), then EtherType
//     0x0800 / 0x86dd (0x0806 for an ARP frame). Frames shorter than 60 bytes are padded with
//     zeros to 60 (Ethernet's minimum without its FCS; `pad = false` leaves them short).
//     link raw: the IP packet alone (LINKTYPE_RAW, 101). link linux_sll: the 16-byte Linux
//     cooked header (LINKTYPE_LINUX_SLL, 113); VLAN tags are not written there.
//   - IPv4: 20-byte header, DF clear, TTL 64, header checksum set; `ip_id`, `fragment_offset`
//     (8-byte units) and `more_fragments` as given.
//   - IPv6: 40-byte header; then the extension headers in `ext` (0 hop-by-hop, 43 routing with
//     segments-left 0, 60 destination options: 8 bytes each, PadN-filled), then an 8-byte
//     Fragment header when the packet is a fragment or `ipv6_fragment_header` is set.
//   - Transport (only in an unfragmented packet or a first fragment, i.e. fragment_offset 0):
//     TCP 20 bytes with `tcp_flags`, UDP 8 bytes, ICMP / ICMPv6 8 bytes (echo-style id and
//     sequence) with `icmp_type` / `icmp_code`; any other protocol has none. Checksums are set
//     in unfragmented packets and left 0 in fragments. Then `payload` bytes (a byte pattern).
//     A later fragment (offset > 0) carries `payload` bytes after the IP header(s) and no
//     transport header.
//   - `snap`, when non-zero and smaller than the frame: only the first `snap` bytes are captured
//     (the wire length stays the whole frame's).
//   - `harm` damages a well-formed packet after it is built (see enum damage).
//
// Header-only, no dependency beyond the standard library; not for use on a hot path.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace factory::capture {

enum class link_type : std::uint16_t { ethernet = 1, raw = 101, linux_sll = 113 };

enum class damage : std::uint8_t {
    none,
    bad_ip_version,   // the IP version nibble says 7 (the link layer says IPv4 or IPv6)
    short_ihl,        // IPv4 header length field 4: less than the 20-byte minimum
    length_overrun,   // IP total / payload length claims 200 bytes more than the frame carries
    short_tcp_offset, // TCP data offset 4: less than the 20-byte minimum
};

inline constexpr std::uint8_t ip_icmp = 1;
inline constexpr std::uint8_t ip_tcp = 6;
inline constexpr std::uint8_t ip_udp = 17;
inline constexpr std::uint8_t ip_icmpv6 = 58;
inline constexpr std::uint8_t ip_gre = 47;

inline constexpr std::uint8_t tcp_fin = 0x01, tcp_syn = 0x02, tcp_rst = 0x04, tcp_psh = 0x08,
                              tcp_ack = 0x10;

using address = std::array<std::uint8_t, 16>; // IPv4: first 4 bytes, the rest zero

// IPv4 a.b.c.d / an IPv6 address from eight 16-bit groups.
inline address ipv4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    return address{a, b, c, d};
}
inline address ipv6(std::uint16_t g0, std::uint16_t g1, std::uint16_t g2, std::uint16_t g3,
                    std::uint16_t g4, std::uint16_t g5, std::uint16_t g6, std::uint16_t g7) {
    const std::uint16_t g[8] = {g0, g1, g2, g3, g4, g5, g6, g7};
    address a{};
    for (int i = 0; i < 8; ++i) {
        a[2 * i] = static_cast<std::uint8_t>(g[i] >> 8);
        a[2 * i + 1] = static_cast<std::uint8_t>(g[i]);
    }
    return a;
}

struct packet_spec {
    std::int64_t time_ns = 0;
    link_type link = link_type::ethernet;
    bool arp = false;             // an ARP request instead of an IP packet (not a flow)
    std::uint8_t vlan_count = 0;  // 0, 1 or 2 (QinQ)
    std::uint16_t vlans[2] = {0, 0}; // outermost first
    std::uint16_t outer_tpid = 0x88a8; // QinQ: the outer tag's TPID (802.1ad; 0x8100 and 0x9100
                                       // are also seen)
    bool pad = true;              // Ethernet: pad to 60 bytes
    std::uint8_t ip_version = 4;
    address src{}, dst{};
    std::uint8_t protocol = ip_tcp;
    std::uint16_t src_port = 0, dst_port = 0; // TCP / UDP
    std::uint8_t tcp_flags = 0;
    std::uint8_t icmp_type = 0, icmp_code = 0;
    std::uint8_t tos = 0;          // IPv4 TOS / IPv6 traffic class
    std::uint32_t payload = 0;     // bytes after the transport header (or the IP header(s))
    std::uint16_t ip_id = 0;
    std::uint16_t fragment_offset = 0; // in 8-byte units
    bool more_fragments = false;
    bool ipv6_fragment_header = false; // an atomic Fragment header even when not a fragment
    std::uint8_t ext_count = 0;        // IPv6 extension headers, at most 3
    std::uint8_t ext[3] = {0, 0, 0};
    std::uint32_t snap = 0;        // captured bytes, 0: the whole frame
    damage harm = damage::none;
    std::uint32_t if_index = 0;    // pcapng interface

    bool fragment() const noexcept { return fragment_offset != 0 || more_fragments; }
};

// What a correct decoder finds in a packet, from its spec alone.
enum class verdict : std::uint8_t {
    flow,       // forms a flow: key and lengths below
    not_ip,     // not an IP packet (ARP): no flow, not an error
    truncated,  // the capture ends before the headers the key needs
    malformed,  // a header is impossible (see damage)
};

struct packet_facts {
    verdict what = verdict::flow;
    std::uint8_t ip_version = 4, protocol = 0, tcp_flags = 0, tos = 0;
    address src{}, dst{};
    std::uint16_t src_port = 0, dst_port = 0; // ICMP: 0 and type * 256 + code; later fragment: 0, 0
    std::uint32_t ip_length = 0;   // IPv4 total length / 40 + IPv6 payload length
    std::uint32_t wire_length = 0; // the frame's length on the wire (padding included)
    std::uint32_t captured = 0;    // bytes in the capture
    std::uint16_t link_length = 0; // link-layer bytes before the IP header
    std::uint16_t vlan = 0;        // outermost VLAN id
};

namespace detail {

inline std::uint16_t link_bytes(const packet_spec& s) noexcept {
    switch (s.link) {
    case link_type::raw: return 0;
    case link_type::linux_sll: return 16;
    default: return static_cast<std::uint16_t>(14 + 4 * s.vlan_count);
    }
}
inline bool has_transport(const packet_spec& s) noexcept { return s.fragment_offset == 0; }
inline std::uint32_t transport_bytes(const packet_spec& s) noexcept {
    if (!has_transport(s)) return 0;
    switch (s.protocol) {
    case ip_tcp: return 20;
    case ip_udp: return 8;
    case ip_icmp: case ip_icmpv6: return 8;
    default: return 0;
    }
}
inline std::uint32_t ip_header_bytes(const packet_spec& s) noexcept {
    if (s.ip_version == 4) return 20;
    return 40 + 8u * s.ext_count + (s.fragment() || s.ipv6_fragment_header ? 8u : 0u);
}
inline void put16(std::vector<std::uint8_t>& b, std::size_t at, std::uint16_t v) {
    b[at] = static_cast<std::uint8_t>(v >> 8);
    b[at + 1] = static_cast<std::uint8_t>(v);
}
inline std::uint32_t sum16(const std::uint8_t* p, std::size_t n, std::uint32_t sum = 0) {
    for (std::size_t i = 0; i + 1 < n; i += 2) sum += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
    if (n % 2 != 0) sum += static_cast<std::uint32_t>(p[n - 1] << 8);
    return sum;
}
inline std::uint16_t fold(std::uint32_t sum) {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

} // namespace detail

// Whether `harm` applies to this packet (short_ihl: IPv4 only; short_tcp_offset: a TCP packet
// with its header); a damage that does not apply leaves the packet intact.
inline bool damages(const packet_spec& s) noexcept {
    switch (s.harm) {
    case damage::none: return false;
    case damage::bad_ip_version: case damage::length_overrun: return !s.arp;
    case damage::short_ihl: return !s.arp && s.ip_version == 4;
    case damage::short_tcp_offset: return !s.arp && s.protocol == ip_tcp && detail::has_transport(s);
    }
    return false;
}

// The facts of a packet: what build_frame(s) holds, derived from the spec.
inline packet_facts facts_of(const packet_spec& s) {
    packet_facts f;
    const std::uint32_t link = detail::link_bytes(s);
    if (s.arp) {
        f.what = verdict::not_ip;
        f.wire_length = link + 28;
        if (s.link == link_type::ethernet && s.pad && f.wire_length < 60) f.wire_length = 60;
        f.captured = s.snap != 0 && s.snap < f.wire_length ? s.snap : f.wire_length;
        return f;
    }
    f.ip_version = s.ip_version;
    f.protocol = s.protocol;
    f.tos = s.tos;
    f.src = s.src;
    f.dst = s.dst;
    f.link_length = static_cast<std::uint16_t>(link);
    f.vlan = s.link == link_type::ethernet && s.vlan_count > 0 ? s.vlans[0] : 0;
    const std::uint32_t ip_hdr = detail::ip_header_bytes(s);
    const std::uint32_t l4 = detail::transport_bytes(s);
    f.ip_length = ip_hdr + l4 + s.payload;
    f.wire_length = link + f.ip_length;
    if (s.link == link_type::ethernet && s.pad && f.wire_length < 60) f.wire_length = 60;
    f.captured = s.snap != 0 && s.snap < f.wire_length ? s.snap : f.wire_length;
    if (detail::has_transport(s)) {
        if (s.protocol == ip_tcp || s.protocol == ip_udp) {
            f.src_port = s.src_port;
            f.dst_port = s.dst_port;
        } else if (s.protocol == ip_icmp || s.protocol == ip_icmpv6) {
            f.dst_port = static_cast<std::uint16_t>(s.icmp_type << 8 | s.icmp_code);
        }
    }
    if (damages(s)) {
        f.what = verdict::malformed;
        return f;
    }
    // The decoder needs every header up to and including the transport header's key fields:
    // TCP and UDP their ports (4 bytes), ICMP its type and code (2). TCP flags count when they
    // are captured (14 bytes into the header), and are 0 otherwise.
    std::uint32_t need = link + ip_hdr;
    if (detail::has_transport(s)) {
        if (s.protocol == ip_tcp || s.protocol == ip_udp) need += 4;
        else if (s.protocol == ip_icmp || s.protocol == ip_icmpv6) need += 2;
        if (s.protocol == ip_tcp && f.captured >= link + ip_hdr + 14) f.tcp_flags = s.tcp_flags;
    }
    if (f.captured < need) f.what = verdict::truncated;
    return f;
}

// The captured bytes of the packet (at most `snap` of them).
inline std::vector<std::uint8_t> build_frame(const packet_spec& s) {
    using detail::put16;
    std::vector<std::uint8_t> b;
    const std::size_t link = detail::link_bytes(s);
    const std::uint16_t ethertype = s.arp ? 0x0806 : (s.ip_version == 6 ? 0x86dd : 0x0800);
    b.resize(link);
    if (s.link == link_type::ethernet) {
        const std::uint8_t macs[12] = {0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01};
        std::memcpy(b.data(), macs, 12);
        std::size_t at = 12;
        for (int i = 0; i < s.vlan_count; ++i) {
            put16(b, at, s.vlan_count == 2 && i == 0 ? s.outer_tpid : 0x8100);
            put16(b, at + 2, static_cast<std::uint16_t>(s.vlans[i] & 0x0fff));
            at += 4;
        }
        put16(b, at, ethertype);
    } else if (s.link == link_type::linux_sll) {
        put16(b, 0, 0);      // packet type: to us
        put16(b, 2, 1);      // ARPHRD_ETHER
        put16(b, 4, 6);      // address length
        b[6] = 0x02;
        b[11] = 0x01;
        put16(b, 14, ethertype);
    }
    if (s.arp) {
        b.resize(link + 28, 0);
        put16(b, link, 1);
        put16(b, link + 2, 0x0800);
        b[link + 4] = 6;
        b[link + 5] = 4;
        put16(b, link + 6, 1);
    } else {
        const std::size_t ip_at = link;
        const std::uint32_t ip_hdr = detail::ip_header_bytes(s);
        const std::uint32_t l4 = detail::transport_bytes(s);
        const std::uint32_t ip_len = ip_hdr + l4 + s.payload;
        b.resize(link + ip_len, 0);
        std::uint8_t* ip = b.data() + ip_at;
        std::size_t l4_at = ip_at + ip_hdr;
        if (s.ip_version == 4) {
            ip[0] = 0x45;
            ip[1] = s.tos;
            put16(b, ip_at + 2, static_cast<std::uint16_t>(ip_len));
            put16(b, ip_at + 4, s.ip_id);
            put16(b, ip_at + 6, static_cast<std::uint16_t>((s.more_fragments ? 0x2000 : 0) |
                                                           (s.fragment_offset & 0x1fff)));
            ip[8] = 64;
            ip[9] = s.protocol;
            std::memcpy(ip + 12, s.src.data(), 4);
            std::memcpy(ip + 16, s.dst.data(), 4);
            put16(b, ip_at + 10, detail::fold(detail::sum16(ip, 20)));
        } else {
            ip[0] = static_cast<std::uint8_t>(0x60 | s.tos >> 4);
            ip[1] = static_cast<std::uint8_t>(s.tos << 4);
            put16(b, ip_at + 4, static_cast<std::uint16_t>(ip_len - 40));
            ip[7] = 64;
            std::memcpy(ip + 8, s.src.data(), 16);
            std::memcpy(ip + 24, s.dst.data(), 16);
            // Chain: IPv6 -> ext... -> [fragment] -> transport.
            const bool frag = s.fragment() || s.ipv6_fragment_header;
            std::vector<std::uint8_t> chain(s.ext, s.ext + s.ext_count);
            if (frag) chain.push_back(44);
            chain.push_back(s.protocol);
            ip[6] = chain[0];
            std::size_t at = ip_at + 40;
            for (std::size_t i = 0; i + 1 < chain.size(); ++i) {
                b[at] = chain[i + 1];
                if (chain[i] == 44) {
                    put16(b, at + 2, static_cast<std::uint16_t>(s.fragment_offset << 3 | (s.more_fragments ? 1 : 0)));
                    put16(b, at + 6, s.ip_id);
                } else {
                    b[at + 1] = 0;        // 8 bytes long
                    if (chain[i] == 43) { // routing type 0 would be deprecated: type 4, no segments left
                        b[at + 2] = 4;
                    } else {
                        b[at + 2] = 1; // PadN covering the remaining 6 bytes
                        b[at + 3] = 4;
                    }
                }
                at += 8;
            }
        }
        if (l4 != 0) {
            if (s.protocol == ip_tcp) {
                put16(b, l4_at, s.src_port);
                put16(b, l4_at + 2, s.dst_port);
                put16(b, l4_at + 4, 0x1000);
                b[l4_at + 12] = 0x50;
                b[l4_at + 13] = s.tcp_flags;
                put16(b, l4_at + 14, 65535);
            } else if (s.protocol == ip_udp) {
                put16(b, l4_at, s.src_port);
                put16(b, l4_at + 2, s.dst_port);
                put16(b, l4_at + 4, static_cast<std::uint16_t>(8 + s.payload));
            } else {
                b[l4_at] = s.icmp_type;
                b[l4_at + 1] = s.icmp_code;
                put16(b, l4_at + 4, s.ip_id);
                put16(b, l4_at + 6, 1);
            }
        }
        const std::size_t data_at = l4_at + l4;
        for (std::uint32_t i = 0; i < s.payload; ++i) b[data_at + i] = static_cast<std::uint8_t>('a' + i % 26);
        if (!s.fragment() && l4 != 0) {
            // Transport checksum over the pseudo-header and the segment.
            const std::size_t seg = l4 + s.payload;
            std::uint32_t sum = 0;
            if (s.ip_version == 4) {
                sum = detail::sum16(s.src.data(), 4, sum);
                sum = detail::sum16(s.dst.data(), 4, sum);
                sum += s.protocol;
                sum += static_cast<std::uint32_t>(seg);
            } else {
                sum = detail::sum16(s.src.data(), 16, sum);
                sum = detail::sum16(s.dst.data(), 16, sum);
                sum += static_cast<std::uint32_t>(seg);
                sum += s.protocol;
            }
            if (s.protocol == ip_icmp) sum = 0; // ICMPv4 has no pseudo-header
            sum = detail::sum16(b.data() + l4_at, seg, sum);
            const std::size_t at = s.protocol == ip_tcp ? 16 : (s.protocol == ip_udp ? 6 : 2);
            std::uint16_t c = detail::fold(sum);
            if (s.protocol == ip_udp && c == 0) c = 0xffff;
            put16(b, l4_at + at, c);
        }
        switch (s.harm) {
        case damage::none: break;
        case damage::bad_ip_version: ip[0] = static_cast<std::uint8_t>(0x70 | (ip[0] & 0x0f)); break;
        case damage::short_ihl:
            if (s.ip_version == 4) ip[0] = 0x44;
            break;
        case damage::length_overrun:
            if (s.ip_version == 4) put16(b, ip_at + 2, static_cast<std::uint16_t>(ip_len + 200));
            else put16(b, ip_at + 4, static_cast<std::uint16_t>(ip_len - 40 + 200));
            break;
        case damage::short_tcp_offset:
            if (l4 != 0 && s.protocol == ip_tcp) b[l4_at + 12] = 0x40;
            break;
        }
    }
    if (s.link == link_type::ethernet && s.pad && b.size() < 60) b.resize(60, 0);
    if (s.snap != 0 && s.snap < b.size()) b.resize(s.snap);
    return b;
}

} // namespace factory::capture
