/*
 * Well-known material payload layouts (enum factory_format in <factory/abi.h>).
 * Part of the ABI: covered by the same version and fingerprint as abi.h.
 * Addresses are in network byte order; every other integer is in host byte order.
 */
#ifndef FACTORY_FORMATS_H
#define FACTORY_FORMATS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* FACTORY_FORMAT_FLOW4: the original template's material, one IPv4 flow observation. */
typedef struct factory_flow4 {
    uint32_t src_addr;
    uint32_t dst_addr;
    uint16_t src_port;
    uint16_t dst_port;
    uint8_t protocol;
    uint8_t reserved[3];
    uint32_t bytes;
} factory_flow4;

/* FACTORY_FORMAT_PACKET: one decoded packet header, as a capture source produces it. */
typedef struct factory_packet {
    uint8_t src_addr[16];  /* IPv4: the first 4 bytes, the rest zero */
    uint8_t dst_addr[16];
    uint16_t src_port;     /* TCP/UDP ports; ICMP: 0 */
    uint16_t dst_port;     /* ICMP/ICMPv6: type * 256 + code */
    uint8_t ip_version;    /* 4 or 6 */
    uint8_t protocol;      /* IP protocol of the transport header (after IPv6 extension headers) */
    uint8_t tcp_flags;     /* TCP only: FIN=0x01 SYN=0x02 RST=0x04 PSH=0x08 ACK=0x10 URG=0x20 ... */
    uint8_t tos;           /* IPv4 TOS / IPv6 traffic class */
    uint32_t ip_length;    /* IP total length (IPv6: 40 + payload length) */
    uint32_t wire_length;  /* the frame's original length on the wire */
    uint16_t link_length;  /* bytes of link-layer header before the IP header (VLAN tags included) */
    uint16_t vlan;         /* outermost 802.1Q VLAN id, 0 when untagged */
    uint32_t if_index;     /* capture interface number (pcapng), 0 otherwise */
    uint64_t packet_number; /* 1-based position in the capture */
} factory_packet;

#ifdef __cplusplus
}
#endif

#endif /* FACTORY_FORMATS_H */
