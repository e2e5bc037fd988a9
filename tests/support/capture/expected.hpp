// The capture maker, part 4: the flows a capture should give, computed independently of
// factory (from packet specs and their facts, never from decoded bytes, with a plain map and
// explicit deadlines instead of the host's roster and timer wheel).
//
//   capture::flow_model m({.idle_ns = 15'000'000'000, .active_ns = 60'000'000'000});
//   for (const auto& p : packets) m.add(p);   // in capture order
//   capture::expected_run want = m.finish();
//
// The rules it follows (those factory-host applies on the material clock with the flowmeter,
// as docs/flows.md states them):
//   - Time is counted in 1 ms ticks, tick = floor(time_ns / 1 ms). The clock is the latest tick
//     of any packet that forms a flow so far; a packet is assigned at the clock's tick (its own,
//     unless it is late, i.e. earlier than a packet before it).
//   - Before a packet is assigned, every flow whose deadline is at or before the clock ends:
//     idle (reason 1) at last + idle_ticks, active (reason 2) at first + active_ticks (when
//     active_ns > 0), whichever comes first, idle when both fall on the same tick. `first` and
//     `last` here are the ticks the flow was started and last renewed at. idle_ticks and
//     active_ticks are the durations rounded up to whole ticks (at least 1).
//   - A packet of no live flow starts one. With end_on_fin / end_on_rst, a TCP packet with FIN /
//     RST ends its flow right after being counted (reason 3); the next packet of that key starts
//     a new flow.
//   - At the end of input, flows whose deadline is at or before the clock end as above; every
//     other flow ends with reason 4 (shutdown).
//   - Key: the 5-tuple (ip version, protocol, addresses, ports) one way; with key biflow, both
//     directions of a 5-tuple share one flow, which yields one record per direction that has
//     packets, each with the biflow's first / last time, end reason and VLAN. Except when its
//     two addresses are equal (loopback): then, as in softflowd, each direction is a flow of its
//     own (one flow if the ports are equal too).
//   - Ports: TCP / UDP ports; ICMP / ICMPv6: source 0, destination type * 256 + code; a later
//     fragment (offset > 0) and any other protocol: 0 and 0.
//   - Bytes: byte_rule ip counts the IP total length (IPv6: 40 + payload length); wire counts
//     the wire length minus the link-layer header (Ethernet padding included).
//   - A record's packets, bytes and TCP flags (OR of all) are its direction's; first_ns /
//     last_ns the earliest / latest packet time (ns) of the flow; vlan the outermost VLAN id of
//     the flow's first packet.
//   - Packets that cannot form a flow are not in any flow: not IP (ARP: skipped), truncated or
//     malformed (counted, each listed with its packet number).
#pragma once

#include "frame.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <tuple>
#include <vector>

namespace factory::capture {

enum class key_mode { five_tuple, biflow };
enum class byte_rule { ip, wire };

struct flow_rules {
    std::int64_t idle_ns = 15'000'000'000;
    std::int64_t active_ns = 0; // 0: no active timeout
    bool end_on_fin = true;
    bool end_on_rst = true;
    byte_rule bytes = byte_rule::ip;
    key_mode key = key_mode::five_tuple;
};

struct flow_key {
    std::uint8_t ip_version = 4, protocol = 0;
    address src{}, dst{};
    std::uint16_t src_port = 0, dst_port = 0;

    auto tie() const { return std::tie(ip_version, protocol, src, dst, src_port, dst_port); }
    bool operator<(const flow_key& o) const { return tie() < o.tie(); }
    bool operator==(const flow_key& o) const { return tie() == o.tie(); }
    flow_key reversed() const {
        flow_key k = *this;
        std::swap(k.src, k.dst);
        std::swap(k.src_port, k.dst_port);
        return k;
    }
};

inline flow_key key_of(const packet_facts& f) {
    return flow_key{f.ip_version, f.protocol, f.src, f.dst, f.src_port, f.dst_port};
}

struct expected_flow {
    flow_key key; // this record's direction
    std::uint64_t packets = 0, bytes = 0;
    std::int64_t first_ns = 0, last_ns = 0;
    std::uint8_t tcp_flags = 0;
    int end_reason = 0;
    std::uint16_t vlan = 0;

    auto tie() const { return std::tie(key, first_ns, end_reason, packets, bytes, last_ns); }
    bool operator<(const expected_flow& o) const { return tie() < o.tie(); }
};

struct rejected_packet {
    std::uint64_t number; // 1-based position in the capture
    verdict why;
};

struct expected_run {
    std::vector<expected_flow> flows; // sorted
    std::uint64_t packets = 0;        // every packet of the capture
    std::uint64_t flow_packets = 0;   // packets counted in flows
    std::uint64_t not_ip = 0;
    std::vector<rejected_packet> rejected; // truncated and malformed, in capture order
};

class flow_model {
public:
    explicit flow_model(const flow_rules& r)
        : r_(r), idle_(ticks(r.idle_ns)), active_(r.active_ns > 0 ? ticks(r.active_ns) : 0) {}

    void add(const packet_spec& p) {
        const packet_facts f = facts_of(p);
        const std::uint64_t number = ++out_.packets;
        if (f.what == verdict::not_ip) {
            ++out_.not_ip;
            return;
        }
        if (f.what != verdict::flow) {
            out_.rejected.push_back({number, f.what});
            return;
        }
        const std::int64_t tick = floor_ms(p.time_ns);
        clock_ = started_ ? std::max(clock_, tick) : tick;
        started_ = true;
        expire(clock_);
        const flow_key k = key_of(f);
        flow_key home = k;
        // By address alone, as softflowd: equal addresses (loopback) keep the two directions apart.
        if (r_.key == key_mode::biflow && k.dst < k.src) home = k.reversed();
        auto it = live_.find(home);
        if (it == live_.end()) {
            live_flow n;
            n.forward = k;
            n.hired = n.last = clock_;
            n.first_ns = n.last_ns = p.time_ns;
            n.vlan = f.vlan;
            it = live_.emplace(home, n).first;
        }
        live_flow& lf = it->second;
        lf.last = std::max(lf.last, clock_);
        lf.first_ns = std::min(lf.first_ns, p.time_ns);
        lf.last_ns = std::max(lf.last_ns, p.time_ns);
        side& d = k == lf.forward ? lf.dir[0] : lf.dir[1];
        ++d.packets;
        d.bytes += r_.bytes == byte_rule::ip ? f.ip_length : f.wire_length - f.link_length;
        d.flags |= f.tcp_flags;
        ++out_.flow_packets;
        const bool fin = r_.end_on_fin && (f.tcp_flags & tcp_fin) != 0;
        const bool rst = r_.end_on_rst && (f.tcp_flags & tcp_rst) != 0;
        if (f.protocol == ip_tcp && (fin || rst)) {
            emit(lf, 3);
            live_.erase(it);
        }
    }

    expected_run finish() {
        if (started_) expire(clock_);
        for (auto& [k, lf] : live_) emit(lf, 4);
        live_.clear();
        std::sort(out_.flows.begin(), out_.flows.end());
        return out_;
    }

private:
    struct side {
        std::uint64_t packets = 0, bytes = 0;
        std::uint8_t flags = 0;
    };
    struct live_flow {
        flow_key forward;
        std::int64_t hired = 0, last = 0; // ticks
        std::int64_t first_ns = 0, last_ns = 0;
        std::uint16_t vlan = 0;
        side dir[2];
    };

    static std::int64_t floor_ms(std::int64_t ns) {
        return ns / 1'000'000 - (ns % 1'000'000 < 0 ? 1 : 0);
    }
    static std::int64_t ticks(std::int64_t ns) {
        return ns <= 1'000'000 ? 1 : (ns + 999'999) / 1'000'000;
    }

    // Ends every flow whose deadline is at or before `now`.
    void expire(std::int64_t now) {
        for (auto it = live_.begin(); it != live_.end();) {
            const std::int64_t idle_at = it->second.last + idle_;
            const std::int64_t active_at = active_ != 0 ? it->second.hired + active_ : INT64_MAX;
            const std::int64_t due = std::min(idle_at, active_at);
            if (due <= now) {
                emit(it->second, idle_at <= active_at ? 1 : 2);
                it = live_.erase(it);
            } else {
                ++it;
            }
        }
    }

    void emit(const live_flow& lf, int reason) {
        for (int d = 0; d < 2; ++d) {
            if (lf.dir[d].packets == 0) continue;
            expected_flow e;
            e.key = d == 0 ? lf.forward : lf.forward.reversed();
            e.packets = lf.dir[d].packets;
            e.bytes = lf.dir[d].bytes;
            e.tcp_flags = lf.dir[d].flags;
            e.first_ns = lf.first_ns;
            e.last_ns = lf.last_ns;
            e.end_reason = reason;
            e.vlan = lf.vlan;
            out_.flows.push_back(e);
        }
    }

    flow_rules r_;
    std::int64_t idle_, active_;
    std::int64_t clock_ = 0;
    bool started_ = false;
    std::map<flow_key, live_flow> live_;
    expected_run out_;
};

// The flows of `packets` under `rules`.
template <class Packets>
expected_run expected_flows(const Packets& packets, const flow_rules& rules) {
    flow_model m(rules);
    for (const packet_spec& p : packets) m.add(p);
    return m.finish();
}

// Totals per one-way 5-tuple over the whole capture, as pmacct's 5-tuple aggregation counts
// them: packets and IP-length bytes of every packet that forms a flow.
struct tuple_total {
    std::uint64_t packets = 0, bytes = 0;
    bool operator==(const tuple_total& o) const { return packets == o.packets && bytes == o.bytes; }
};

template <class Packets>
std::map<flow_key, tuple_total> totals_per_tuple(const Packets& packets, byte_rule rule = byte_rule::ip) {
    std::map<flow_key, tuple_total> t;
    for (const packet_spec& p : packets) {
        const packet_facts f = facts_of(p);
        if (f.what != verdict::flow) continue;
        tuple_total& x = t[key_of(f)];
        ++x.packets;
        x.bytes += rule == byte_rule::ip ? f.ip_length : f.wire_length - f.link_length;
    }
    return t;
}

} // namespace factory::capture
