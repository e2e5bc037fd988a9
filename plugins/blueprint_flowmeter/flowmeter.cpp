#include "flowmeter.hpp"

#include <cstring>

namespace factory::flowmeter {
namespace {

constexpr std::uint8_t proto_tcp = 6;
constexpr std::uint8_t tcp_fin = 0x01, tcp_rst = 0x04;
// A packet this far from the workshop's clock means the clock is not packet time.
constexpr std::int64_t clock_warning_ns = 3'600'000'000'000;

bool same_endpoints(const std::uint8_t* a, std::uint16_t ap, const std::uint8_t* b, std::uint16_t bp,
                    const factory_packet& p) noexcept {
    return ap == p.src_port && bp == p.dst_port && std::memcmp(a, p.src_addr, 16) == 0 &&
           std::memcmp(b, p.dst_addr, 16) == 0;
}

template <class Record, class Address>
void ship_direction(const flowmeter& bp, std::uint64_t pid, std::uint32_t pclass, const flow_state& s, int d,
                    factory::fire_reason reason) {
    Record r{};
    const std::uint8_t* src = d == 0 ? s.a_addr : s.b_addr;
    const std::uint8_t* dst = d == 0 ? s.b_addr : s.a_addr;
    std::memcpy(&r.src_addr, src, sizeof(Address));
    std::memcpy(&r.dst_addr, dst, sizeof(Address));
    r.src_port = d == 0 ? s.a_port : s.b_port;
    r.dst_port = d == 0 ? s.b_port : s.a_port;
    r.protocol = s.protocol;
    r.tcp_flags = s.flags[d];
    r.tos = s.tos;
    r.end_reason = static_cast<std::uint8_t>(reason);
    r.direction = static_cast<std::uint8_t>(d);
    r.vlan = s.vlan;
    r.if_index = s.if_index;
    r.packets = s.packets[d];
    r.bytes = s.bytes[d];
    r.first_seen.value = s.first_ns;
    r.last_seen.value = s.last_ns;
    bp.ship(pid, pclass, r);
}

} // namespace

factory::verdict flowmeter::refuse_material(const factory::material& m) {
    const factory_packet* p = m.as<factory_packet>();
    if (m.format() != FACTORY_FORMAT_PACKET || p == nullptr)
        return refuse("material %llu is not a packet (format %u, %u bytes): the flowmeter reads the pcap "
                      "source's FACTORY_FORMAT_PACKET materials",
                      static_cast<unsigned long long>(m.seq()), unsigned{m.format()}, unsigned{m.size()});
    return refuse("packet %llu: IP version %u is neither 4 nor 6",
                  static_cast<unsigned long long>(p->packet_number), unsigned{p->ip_version});
}

flowmeter::flowmeter(const factory::settings& s, factory::host h)
    : blueprint(h), bytes_(s.text("bytes") == "wire" ? byte_rule::wire : byte_rule::ip),
      end_on_fin_(s.boolean("end_on_fin")), end_on_rst_(s.boolean("end_on_rst")) {}

factory::verdict flowmeter::on_hire(worker& w, const factory::material& m) {
    const factory_packet* packet = packet_of(m);
    if (packet == nullptr) return refuse_material(m);
    const factory_packet& p = *packet;
    flow_state& s = w.state();
    std::memcpy(s.a_addr, p.src_addr, 16);
    std::memcpy(s.b_addr, p.dst_addr, 16);
    s.a_port = p.src_port;
    s.b_port = p.dst_port;
    s.ip_version = p.ip_version;
    s.protocol = p.protocol;
    s.tos = p.tos;
    s.vlan = p.vlan;
    s.if_index = p.if_index;
    s.first_ns = s.last_ns = m.time_ns();
    if (!clock_checked_) {
        clock_checked_ = true;
        const std::int64_t gap = host().now_ns() - m.time_ns();
        if (gap > clock_warning_ns || gap < -clock_warning_ns)
            host().log(factory::log_level::warn,
                       "packet times are hours away from the workshop's clock; idle and active timeouts "
                       "follow that clock, not the capture: run with --clock material to meter a capture file");
    }
    return factory::verdict::keep;
}

factory::verdict flowmeter::on_material(worker& w, const factory::material& m) {
    const factory_packet* packet = packet_of(m);
    if (packet == nullptr) return refuse_material(m);
    const factory_packet& p = *packet;
    flow_state& s = w.state();
    const bool same_kind = p.protocol == s.protocol && p.ip_version == s.ip_version;
    int d;
    if (same_kind && same_endpoints(s.a_addr, s.a_port, s.b_addr, s.b_port, p)) {
        d = 0;
    } else if (same_kind && same_endpoints(s.b_addr, s.b_port, s.a_addr, s.a_port, p)) {
        d = 1;
    } else {
        return refuse("packet %llu: its flow key differs from its worker's (two keys with one pid); it is not counted",
                      static_cast<unsigned long long>(p.packet_number));
    }
    ++s.packets[d];
    s.bytes[d] += bytes_ == byte_rule::ip ? p.ip_length : p.wire_length - p.link_length;
    s.flags[d] |= p.tcp_flags;
    const std::int64_t t = m.time_ns();
    if (t < s.first_ns) s.first_ns = t;
    if (t > s.last_ns) s.last_ns = t;
    if (p.protocol == proto_tcp && (((p.tcp_flags & tcp_fin) != 0 && end_on_fin_) ||
                                    ((p.tcp_flags & tcp_rst) != 0 && end_on_rst_)))
        return factory::verdict::done;
    return factory::verdict::keep;
}

void flowmeter::on_fire(worker& w, factory::fire_reason reason, std::int64_t) {
    const flow_state& s = w.state();
    for (int d = 0; d < 2; ++d) {
        if (s.packets[d] == 0) continue;
        if (s.ip_version == 4)
            ship_direction<flow_v4, factory::ipv4>(*this, w.pid(), pclass_ipv4, s, d, reason);
        else
            ship_direction<flow_v6, factory::ipv6>(*this, w.pid(), pclass_ipv6, s, d, reason);
    }
}

} // namespace factory::flowmeter
