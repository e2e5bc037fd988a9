// The flowmeter's products: one flow record per direction of a flow, in pclass flows_ipv4 or
// flows_ipv6 by IP version. Field names and meanings (with the IPFIX information element an
// exporter can map each to):
//   src_addr, dst_addr  addresses of this direction      sourceIPv4Address / sourceIPv6Address,
//                                                        destinationIPv4Address / ...IPv6Address
//   src_port, dst_port  TCP / UDP ports; ICMP: 0 and     sourceTransportPort,
//                       type * 256 + code; others 0      destinationTransportPort
//   protocol            IP protocol                      protocolIdentifier
//   tcp_flags           OR of the TCP flags seen          tcpControlBits
//   tos                 TOS / traffic class of the       ipClassOfService
//                       flow's first packet
//   end_reason          why the flow ended: 1 idle,      flowEndReason
//                       2 active, 3 end detected (FIN /
//                       RST), 4 forced end (shutdown),
//                       5 lack of resources (evicted)
//   direction           0: the direction of the flow's   biflowDirection-like (0 forward,
//                       first packet; 1: the reverse      1 reverse)
//                       (biflow keys only)
//   vlan                outermost VLAN id of the flow's  vlanId
//                       first packet, 0 untagged
//   if_index            capture interface (pcapng) of    ingressInterface
//                       the flow's first packet
//   packets, bytes      this direction's packets and     packetDeltaCount, octetDeltaCount
//                       bytes (the byte rule: IP total
//                       length, or wire length minus
//                       the link header)
//   first_seen,         the flow's earliest and latest   flowStartMilliseconds /
//   last_seen           packet time, Unix ns (both        flowEndMilliseconds (ns here)
//                       directions of a biflow share
//                       them, as softflowd reports)
#pragma once

#include <factory/schema.hpp>

#include <cstdint>

namespace factory::flowmeter {

template <class Address>
struct flow_record {
    Address src_addr;
    Address dst_addr;
    std::uint16_t src_port;
    std::uint16_t dst_port;
    std::uint8_t protocol;
    std::uint8_t tcp_flags;
    std::uint8_t tos;
    std::uint8_t end_reason;
    std::uint8_t direction;
    std::uint8_t reserved;  // 0: shipped records hold no uninitialised bytes
    std::uint16_t vlan;
    std::uint32_t if_index;
    std::uint64_t packets;
    std::uint64_t bytes;
    factory::time_ns first_seen;
    factory::time_ns last_seen;
};

using flow_v4 = flow_record<factory::ipv4>;
using flow_v6 = flow_record<factory::ipv6>;

template <class R>
factory::schema flow_schema() {
    return factory::make_schema<R>({
        FACTORY_FIELD(R, src_addr), FACTORY_FIELD(R, dst_addr), FACTORY_FIELD(R, src_port),
        FACTORY_FIELD(R, dst_port), FACTORY_FIELD(R, protocol), FACTORY_FIELD(R, tcp_flags),
        FACTORY_FIELD(R, tos), FACTORY_FIELD(R, end_reason), FACTORY_FIELD(R, direction),
        FACTORY_FIELD(R, vlan), FACTORY_FIELD(R, if_index), FACTORY_FIELD(R, packets),
        FACTORY_FIELD(R, bytes), FACTORY_FIELD(R, first_seen), FACTORY_FIELD(R, last_seen),
    });
}

inline const factory::schema flow_v4_schema = flow_schema<flow_v4>();
inline const factory::schema flow_v6_schema = flow_schema<flow_v6>();

enum pclass_index : std::uint32_t { pclass_ipv4 = 0, pclass_ipv6 = 1 };

} // namespace factory::flowmeter
