#include "packet_decoder.hpp"

#include <cstdio>
#include <cstring>

namespace factory::pcap {
namespace {

inline std::uint16_t be16(const std::uint8_t* p) noexcept {
    return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}

constexpr std::uint8_t proto_tcp = 6, proto_udp = 17, proto_icmp = 1, proto_icmpv6 = 58;

// Everything the IP decoders need besides the bytes: where the IP header starts and how many
// bytes the frame holds after the link header, on the wire and in the capture.
struct ip_view {
    const std::uint8_t* p;
    std::uint32_t captured; // bytes captured from p on
    std::uint32_t on_wire;  // bytes on the wire from p on
};

// Formats a reason only on the failure path; the success path never touches it.
template <class... A>
verdict refuse(verdict v, char* why, std::size_t n, const char* fmt, A... a) noexcept {
    if (why != nullptr && n != 0) std::snprintf(why, n, fmt, a...);
    return v;
}

verdict transport(std::uint8_t protocol, const std::uint8_t* l4, std::uint32_t captured,
                  std::uint32_t room, std::uint32_t at, factory_packet& out, char* why,
                  std::size_t n) noexcept {
    // `room`: bytes the IP length leaves for the transport header; `at`: its offset in the frame.
    switch (protocol) {
    case proto_tcp: {
        if (room < 20)
            return refuse(verdict::malformed, why, n,
                          "malformed: TCP header needs 20 bytes, the IP length leaves %u", room);
        if (captured < 4)
            return refuse(verdict::truncated, why, n, "truncated: TCP ports need 4 bytes at offset %u, %u captured",
                          at, captured);
        // The ports make the key; the data offset and flags are read when the capture has them.
        if (captured >= 13 && (l4[12] >> 4) < 5)
            return refuse(verdict::malformed, why, n, "malformed: TCP data offset %u bytes, below 20",
                          (l4[12] >> 4) * 4u);
        out.src_port = be16(l4);
        out.dst_port = be16(l4 + 2);
        out.tcp_flags = captured >= 14 ? l4[13] : 0;
        return verdict::flow;
    }
    case proto_udp:
        if (room < 8)
            return refuse(verdict::malformed, why, n,
                          "malformed: UDP header needs 8 bytes, the IP length leaves %u", room);
        if (captured < 4)
            return refuse(verdict::truncated, why, n,
                          "truncated: UDP ports need 4 bytes at offset %u, %u captured", at, captured);
        out.src_port = be16(l4);
        out.dst_port = be16(l4 + 2);
        return verdict::flow;
    case proto_icmp:
    case proto_icmpv6:
        if (room < 4)
            return refuse(verdict::malformed, why, n,
                          "malformed: ICMP header needs 4 bytes, the IP length leaves %u", room);
        if (captured < 2)
            return refuse(verdict::truncated, why, n,
                          "truncated: ICMP type and code need 2 bytes at offset %u, %u captured", at, captured);
        out.dst_port = static_cast<std::uint16_t>(l4[0] << 8 | l4[1]);
        return verdict::flow;
    default:
        return verdict::flow;
    }
}

verdict ipv4(const ip_view& ip, std::uint32_t link_len, factory_packet& out, char* why, std::size_t n) noexcept {
    const std::uint8_t* p = ip.p;
    if (ip.captured < 20)
        return refuse(verdict::truncated, why, n, "truncated: IPv4 header needs 20 bytes at offset %u, %u captured",
                      link_len, ip.captured);
    if ((p[0] >> 4) != 4)
        return refuse(verdict::malformed, why, n, "malformed: IP version %u where the link layer says IPv4",
                      static_cast<unsigned>(p[0] >> 4));
    const std::uint32_t ihl = (p[0] & 0x0fu) * 4u;
    if (ihl < 20) return refuse(verdict::malformed, why, n, "malformed: IPv4 header length %u, below 20", ihl);
    if (ip.captured < ihl)
        return refuse(verdict::truncated, why, n, "truncated: IPv4 header with options needs %u bytes, %u captured",
                      ihl, ip.captured);
    const std::uint32_t total = be16(p + 2);
    if (total < ihl)
        return refuse(verdict::malformed, why, n, "malformed: IPv4 total length %u is shorter than its header (%u)",
                      total, ihl);
    if (total > ip.on_wire)
        return refuse(verdict::malformed, why, n,
                      "malformed: IPv4 total length %u exceeds the %u bytes the frame carries after its link header",
                      total, ip.on_wire);
    out.ip_version = 4;
    out.tos = p[1];
    out.protocol = p[9];
    out.ip_length = total;
    std::memcpy(out.src_addr, p + 12, 4);
    std::memcpy(out.dst_addr, p + 16, 4);
    if ((be16(p + 6) & 0x1fff) != 0) return verdict::flow; // a later fragment: no transport header
    return transport(out.protocol, p + ihl, ip.captured - ihl, total - ihl, link_len + ihl, out, why, n);
}

verdict ipv6(const ip_view& ip, std::uint32_t link_len, factory_packet& out, char* why, std::size_t n) noexcept {
    const std::uint8_t* p = ip.p;
    if (ip.captured < 40)
        return refuse(verdict::truncated, why, n, "truncated: IPv6 header needs 40 bytes at offset %u, %u captured",
                      link_len, ip.captured);
    if ((p[0] >> 4) != 6)
        return refuse(verdict::malformed, why, n, "malformed: IP version %u where the link layer says IPv6",
                      static_cast<unsigned>(p[0] >> 4));
    const std::uint32_t total = 40u + be16(p + 4);
    if (total > ip.on_wire)
        return refuse(verdict::malformed, why, n,
                      "malformed: IPv6 length %u (40 + payload length) exceeds the %u bytes the frame carries "
                      "after its link header",
                      total, ip.on_wire);
    out.ip_version = 6;
    out.tos = static_cast<std::uint8_t>((p[0] & 0x0f) << 4 | p[1] >> 4);
    out.ip_length = total;
    std::memcpy(out.src_addr, p + 8, 16);
    std::memcpy(out.dst_addr, p + 24, 16);
    std::uint8_t next = p[6];
    std::uint32_t at = 40;
    for (int hops = 0;; ++hops) {
        switch (next) {
        case 0: case 43: case 44: case 51: case 60: case 135: case 139: case 140: break;
        default:
            out.protocol = next;
            if (at > total)
                return refuse(verdict::malformed, why, n,
                              "malformed: IPv6 extension headers (%u bytes) run past the IPv6 length %u", at, total);
            return transport(next, p + at, ip.captured > at ? ip.captured - at : 0, total - at, link_len + at, out,
                             why, n);
        }
        if (hops == 16)
            return refuse(verdict::malformed, why, n, "malformed: more than 16 IPv6 extension headers");
        const std::uint32_t need = next == 44 ? 8u : 2u;
        if (ip.captured < at + need)
            return refuse(verdict::truncated, why, n,
                          "truncated: IPv6 extension header %u needs %u bytes at offset %u, %u captured",
                          static_cast<unsigned>(next), need, link_len + at, ip.captured > at ? ip.captured - at : 0u);
        const std::uint8_t* h = p + at;
        if (next == 44) {
            at += 8;
            if ((be16(h + 2) >> 3) != 0) { // a later fragment: no transport header
                out.protocol = h[0];
                return verdict::flow;
            }
        } else {
            at += next == 51 ? (h[1] + 2u) * 4u : (h[1] + 1u) * 8u;
        }
        next = h[0];
    }
}

// The bytes after a link header that names its payload by EtherType: VLAN tags, then IP.
verdict ethertype(std::uint16_t type, const std::uint8_t* frame, std::uint32_t at, std::uint32_t caplen,
                  std::uint32_t wire, factory_packet& out, char* why, std::size_t n) noexcept {
    for (int tags = 0; type == 0x8100 || type == 0x88a8 || type == 0x9100; ++tags) {
        if (tags == 8) return refuse(verdict::malformed, why, n, "malformed: more than 8 VLAN tags");
        if (caplen < at + 4)
            return refuse(verdict::truncated, why, n, "truncated: VLAN tag needs 4 bytes at offset %u, %u captured",
                          at, caplen > at ? caplen - at : 0u);
        if (tags == 0) out.vlan = be16(frame + at) & 0x0fff;
        type = be16(frame + at + 2);
        at += 4;
    }
    out.link_length = static_cast<std::uint16_t>(at);
    const ip_view ip{frame + at, caplen - at, wire > at ? wire - at : 0};
    if (type == 0x0800) return ipv4(ip, at, out, why, n);
    if (type == 0x86dd) return ipv6(ip, at, out, why, n);
    return refuse(verdict::not_ip, why, n, "not IP: EtherType 0x%04x", static_cast<unsigned>(type));
}

verdict by_version(const std::uint8_t* frame, std::uint32_t at, std::uint32_t caplen, std::uint32_t wire,
                   factory_packet& out, char* why, std::size_t n) noexcept {
    if (caplen <= at)
        return refuse(verdict::truncated, why, n, "truncated: no IP header captured at offset %u", at);
    out.link_length = static_cast<std::uint16_t>(at);
    const ip_view ip{frame + at, caplen - at, wire > at ? wire - at : 0};
    const unsigned v = frame[at] >> 4;
    if (v == 4) return ipv4(ip, at, out, why, n);
    if (v == 6) return ipv6(ip, at, out, why, n);
    return refuse(verdict::malformed, why, n, "malformed: IP version %u on a raw IP link", v);
}

} // namespace

bool supported_link(std::uint32_t link) noexcept {
    switch (link) {
    case link_null: case link_ethernet: case link_raw: case link_loop: case link_linux_sll:
    case link_ipv4: case link_ipv6: case link_linux_sll2: return true;
    default: return false;
    }
}

const char* supported_links() noexcept {
    return "1 (Ethernet), 101 / 228 / 229 (raw IP), 113 (Linux cooked), 276 (Linux cooked v2), "
           "0 and 108 (loopback)";
}

verdict decode_frame(std::uint32_t link, const std::uint8_t* frame, std::uint32_t caplen,
                     std::uint32_t wire_length, factory_packet& out, char* why, std::size_t why_size) noexcept {
    std::memset(&out, 0, sizeof out);
    // The pcap source refuses a record whose wire length is below its captured length before it
    // gets here; for other callers the frame was at least as long as what was captured.
    const std::uint32_t wire = wire_length > caplen ? wire_length : caplen;
    out.wire_length = wire;
    switch (link) {
    case link_ethernet:
        if (caplen < 14)
            return refuse(verdict::truncated, why, why_size, "truncated: Ethernet header needs 14 bytes, %u captured",
                          caplen);
        return ethertype(be16(frame + 12), frame, 14, caplen, wire, out, why, why_size);
    case link_linux_sll:
        if (caplen < 16)
            return refuse(verdict::truncated, why, why_size,
                          "truncated: Linux cooked header needs 16 bytes, %u captured", caplen);
        return ethertype(be16(frame + 14), frame, 16, caplen, wire, out, why, why_size);
    case link_linux_sll2:
        if (caplen < 20)
            return refuse(verdict::truncated, why, why_size,
                          "truncated: Linux cooked v2 header needs 20 bytes, %u captured", caplen);
        return ethertype(be16(frame), frame, 20, caplen, wire, out, why, why_size);
    case link_raw: case link_ipv4: case link_ipv6:
        return by_version(frame, 0, caplen, wire, out, why, why_size);
    case link_null: case link_loop: {
        if (caplen < 4)
            return refuse(verdict::truncated, why, why_size, "truncated: loopback header needs 4 bytes, %u captured",
                          caplen);
        // The address family: host order of the capturing machine for NULL, so accept either order.
        std::uint32_t le = frame[0] | frame[1] << 8 | frame[2] << 16 | static_cast<std::uint32_t>(frame[3]) << 24;
        std::uint32_t be = static_cast<std::uint32_t>(frame[0]) << 24 | frame[1] << 16 | frame[2] << 8 | frame[3];
        const std::uint32_t family = link == link_loop ? be : (le < 256 ? le : be);
        if (family == 2 || family == 10 || family == 24 || family == 28 || family == 30)
            return by_version(frame, 4, caplen, wire, out, why, why_size);
        return refuse(verdict::not_ip, why, why_size, "not IP: loopback address family %u", family);
    }
    default:
        return refuse(verdict::bad_link, why, why_size, "link type %u is not supported (supported: %s)", link,
                      supported_links());
    }
}

} // namespace factory::pcap
