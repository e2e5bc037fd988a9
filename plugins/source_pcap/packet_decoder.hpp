// Decoding one captured frame into a factory_packet (FACTORY_FORMAT_PACKET, <factory/formats.h>).
//
// Link layers (pcap link types): 1 Ethernet, 101 / 228 / 229 raw IP (IPv4, IPv6 by the version
// nibble), 113 Linux cooked (SLL), 276 Linux cooked v2 (SLL2), 0 BSD loopback (host byte order
// family) and 108 OpenBSD loopback (network byte order). After an Ethernet or cooked header, any
// number (up to 8) of VLAN tags with TPID 0x8100, 0x88a8 or 0x9100 are skipped; the packet's vlan
// is the outermost tag's id; link_length counts every byte before the IP header.
//
// IP: IPv4 (options skipped) and IPv6 with its extension headers walked (hop-by-hop 0, routing
// 43, fragment 44, destination options 60, AH 51, mobility 135, HIP 139, shim6 140; at most 16);
// protocol is that of the header the chain ends at. Ports: TCP and UDP source and destination
// ports; ICMP and ICMPv6: source 0, destination type * 256 + code; every other protocol 0 and 0.
//
// Fragments: a packet whose fragment offset is not 0 (IPv4, or an IPv6 Fragment header) holds no
// transport header: it is a flow packet with ports 0 and 0 (and no TCP flags) under the
// datagram's protocol, as softflowd and NetFlow exporters count them. The first fragment
// (offset 0) is decoded like an unfragmented packet.
//
// Verdicts:
//   flow       `out` is complete.
//   not_ip     the frame carries no IP packet (ARP, LLDP, MPLS, an unknown EtherType): no flow.
//   truncated  the capture ends before a header the key needs (Ethernet and VLAN tags, the IP
//              header and its extension headers, TCP and UDP ports, ICMP type and code). A TCP
//              packet captured through its ports but not its flags is a flow packet with flags
//              0: its key and IP length are whole.
//   malformed  a header is impossible: wrong IP version for the link's protocol, IPv4 header
//              length below 20, an IP length shorter than its own header or longer than the frame
//              carries after the link header, a TCP data offset below 20, a transport header that
//              the IP length leaves no room for, more than 16 IPv6 extension headers.
//   bad_link   the link type is not one of the above.
// For every verdict but flow, `why` receives one line saying what is wrong (no packet number).
// No allocation; formats text only when a frame is refused.
#pragma once

#include <factory/formats.h>

#include <cstddef>
#include <cstdint>

namespace factory::pcap {

enum class verdict : std::uint8_t { flow, not_ip, truncated, malformed, bad_link };

inline constexpr std::uint32_t link_null = 0;
inline constexpr std::uint32_t link_ethernet = 1;
inline constexpr std::uint32_t link_raw = 101;
inline constexpr std::uint32_t link_loop = 108;
inline constexpr std::uint32_t link_linux_sll = 113;
inline constexpr std::uint32_t link_ipv4 = 228;
inline constexpr std::uint32_t link_ipv6 = 229;
inline constexpr std::uint32_t link_linux_sll2 = 276;

// True for the link types decode_frame() understands.
bool supported_link(std::uint32_t link) noexcept;
// The supported link types as text, for error messages.
const char* supported_links() noexcept;

// Decodes `caplen` captured bytes of a frame that was `wire_length` bytes long. Fills every field
// of `out` but if_index and packet_number (the caller's). `why` may be null.
verdict decode_frame(std::uint32_t link, const std::uint8_t* frame, std::uint32_t caplen,
                     std::uint32_t wire_length, factory_packet& out, char* why,
                     std::size_t why_size) noexcept;

} // namespace factory::pcap
