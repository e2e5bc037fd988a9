// The flowmeter blueprint (libflowmeter.so): network flows from the pcap source's packets
// (FACTORY_FORMAT_PACKET). One worker is one flow; its products are flow records
// (flow_record.hpp), one per direction that has packets, shipped when the worker is fired.
//
// When a flow ends (the end_reason of its records):
//   1 idle      the host's contract ran out: no packet for --contract (the idle timeout);
//   2 active    the host's maximum age: the flow is --max-age old (the active timeout);
//   3 end       a TCP packet with FIN (end_on_fin) or RST (end_on_rst), counted in the flow; the
//               next packet of the same key starts a new flow;
//   4 shutdown  the end of the input;
//   5 evicted   --max-workers was reached and this flow was the next to time out.
// Run it on the material clock (--clock material) so that timeouts follow packet time and the
// results do not depend on how fast a file is read; the host then fires a flow at exactly
// last packet's millisecond + contract (idle) or first packet's millisecond + max age (active),
// before any packet at or after that millisecond is counted. The first packet a workshop sees on
// the wall clock far from its packet time gets a warning logged (a file read on the wall clock).
//
// Keys: whatever the source keyed the pid by. With 5tuple keys every worker sees one direction;
// with biflow keys both, and each direction gets its own record, both with the flow's first and
// last time (as softflowd reports them). (A conversation whose two ends have the same address is
// two flows under biflow keys too: the source orders endpoints by address alone, as softflowd.) A packet whose 5-tuple is neither direction of its
// worker's flow (a pid collision) is refused: dead-lettered with its packet number.
// A material that is not a factory_packet is refused the same way.
#pragma once

#include "flow_record.hpp"

#include <factory/blueprint.hpp>
#include <factory/formats.h>

#include <cstdint>

namespace factory::flowmeter {

// Per-flow state, in the roster.
struct flow_state {
    std::uint8_t a_addr[16]; // the first packet's source
    std::uint8_t b_addr[16]; // the first packet's destination
    std::uint16_t a_port, b_port;
    std::uint8_t ip_version, protocol, tos;
    std::uint8_t flags[2];
    std::uint8_t reserved;
    std::uint16_t vlan;
    std::uint32_t if_index;
    std::uint64_t packets[2]; // [0]: a -> b, [1]: b -> a
    std::uint64_t bytes[2];
    std::int64_t first_ns, last_ns;
};

enum class byte_rule : std::uint8_t { ip, wire };

class flowmeter : public factory::blueprint<flow_state> {
public:
    static constexpr factory::info info{"flowmeter", "1.0.0",
                                        "network flows from packets: packets, bytes, times, TCP flags, end reason"};
    static constexpr const char* notes =
        "One worker per flow; one record per direction with packets, shipped when the flow ends.\n"
        "end_reason: 1 idle (--contract), 2 active (--max-age), 3 FIN/RST, 4 shutdown, 5 evicted.\n"
        "Reads the pcap source's packets; anything else, and a packet of another flow under the same\n"
        "pid, is dead-lettered with its packet number. Contracts count whole milliseconds.";
    static inline const factory::setting settings[] = {
        {"bytes", FACTORY_SETTING_ENUM, "ip",
         "what a packet's bytes are: ip (IP total length, as pmacct and NetFlow count) or wire (the "
         "frame's wire length minus its link-layer header, padding included, as softflowd counts)",
         "ip|wire"},
        {"end_on_fin", FACTORY_SETTING_BOOL, "true", "a TCP packet with FIN ends its flow (end reason 3)"},
        {"end_on_rst", FACTORY_SETTING_BOOL, "true", "a TCP packet with RST ends its flow (end reason 3)"},
    };
    static inline const factory::pclass_def pclasses[] = {{"flows_ipv4", &flow_v4_schema},
                                                          {"flows_ipv6", &flow_v6_schema}};

    flowmeter(const factory::settings& s, factory::host h);

    factory::verdict on_hire(worker& w, const factory::material& m);
    factory::verdict on_material(worker& w, const factory::material& m);
    void on_fire(worker& w, factory::fire_reason reason, std::int64_t now_ns);

private:
    // Refuses `m`, which holds no usable packet, saying why.
    factory::verdict refuse_material(const factory::material& m);

    byte_rule bytes_;
    bool end_on_fin_;
    bool end_on_rst_;
    bool clock_checked_ = false;
};

// The packet a material holds, or nullptr when it holds none (flowmeter::refuse_material says why).
inline const factory_packet* packet_of(const factory::material& m) noexcept {
    const factory_packet* p = m.as<factory_packet>();
    if (m.format() != FACTORY_FORMAT_PACKET || p == nullptr || (p->ip_version != 4 && p->ip_version != 6))
        return nullptr;
    return p;
}

} // namespace factory::flowmeter
