// The capture maker, part 3: traffic of known content, packet by packet in time order.
//
//   capture::traffic t({.seed = 7, .sessions = 500});
//   capture::packet_spec p;
//   while (t.next(p)) writer.write(p);          // or: capture::write_traffic(path, options)
//
// A session is one conversation between a client and a server, started at a random time within
// [start_ns, start_ns + span_ns):
//   - tcp: SYN, SYN|ACK, ACK; then `exchanges` data packets, alternately client and server
//     (PSH|ACK with payload); then a close: FIN|ACK from the client, FIN|ACK from the server,
//     ACK from the client; or (tcp_rst %) a RST|ACK from the server; or (tcp_open %) nothing,
//     the capture ends with the session open;
//   - udp: `exchanges` request / response pairs;
//   - icmp: `exchanges` echo request / reply pairs (ICMP 8/0 and 0/0, ICMPv6 128/0 and 129/0);
//   - fragmented: `exchanges` UDP datagrams from the client, each too large for one 1500-byte
//     packet and sent as 2 or 3 fragments (the first with the UDP header), each answered by a
//     small unfragmented datagram;
//   - other: `exchanges` GRE packets from the client (protocol 47: no ports).
// Every session picks IPv4 or (ipv6 %) IPv6, then, over IPv6, (ext_headers %) one to three
// extension headers; then no VLAN tag, (vlan %) one, or (qinq %) two. Addresses: clients
// 10.c.x.y / 2001:db8:c::x:y, servers 192.0.2.x, 198.51.100.x / 2001:db8:5::x; client ports
// 1024-65535, server ports from a short list, so 5-tuples rarely repeat but may.
//
// Timing: times are multiples of 1 us (exact in any capture format). Between two packets of a
// session: a random gap in [gap_ns / 2, 3 * gap_ns / 2], at least 1 us; handshake and replies
// come after a short round trip (0.1 - 2 ms). (pause %) sessions stop once for pause_ns in the
// middle; (long_lived %) sessions last at least long_ns, a packet every long_gap_ns (then
// exchanges is at least long_ns / long_gap_ns). Packets with the same time come in session
// order.
//
// Strays, not part of any session, at random times, per thousand sessions: ARP frames (arp),
// truncated packets (truncated: the capture ends inside the TCP ports or the IP header, or, every
// third one, after the TCP ports but before the flags, which still forms a flow), and malformed
// ones (malformed: each kind of capture::damage in turn).
//
// The same options always give the same packets. Memory: only the sessions in progress.
#pragma once

#include "frame.hpp"
#include "writer.hpp"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <queue>
#include <random>
#include <string>
#include <vector>

namespace factory::capture {

struct traffic_options {
    std::uint64_t seed = 1;
    std::size_t sessions = 1000;
    std::int64_t start_ns = 1'700'000'000'000'000'000;
    std::int64_t span_ns = 60'000'000'000;
    std::int64_t gap_ns = 20'000'000;
    std::uint32_t min_exchanges = 1, max_exchanges = 12;
    // Session kinds, as weights.
    unsigned tcp = 55, udp = 20, icmp = 10, fragmented = 5, other = 5;
    // Shares of sessions, in percent.
    unsigned ipv6 = 25, ext_headers = 40, vlan = 15, qinq = 5;
    unsigned tcp_rst = 20, tcp_open = 10;
    unsigned pause = 10, long_lived = 5;
    std::int64_t pause_ns = 120'000'000'000;
    std::int64_t long_ns = 400'000'000'000;
    std::int64_t long_gap_ns = 5'000'000'000;
    // Strays, per thousand sessions.
    unsigned arp = 5, truncated = 5, malformed = 5;
    // Data payload sizes: uniform in [min_payload, max_payload]; 0 makes small padded frames.
    std::uint32_t min_payload = 0, max_payload = 1400;
};

class traffic {
public:
    explicit traffic(const traffic_options& o) : o_(o), rng_(o.seed) {
        const std::size_t strays = (o.sessions * (o.arp + o.truncated + o.malformed) + 999) / 1000;
        const std::size_t total = o.sessions + strays;
        std::vector<std::pair<std::int64_t, std::uint32_t>> starts;
        starts.reserve(total);
        for (std::size_t i = 0; i < total; ++i)
            starts.emplace_back(o.start_ns + micros(rng_() % static_cast<std::uint64_t>(o.span_ns > 0 ? o.span_ns : 1)),
                                static_cast<std::uint32_t>(i));
        std::sort(starts.begin(), starts.end());
        starts_ = std::move(starts);
    }

    // The next packet in time order; false when every session has ended.
    bool next(packet_spec& out) {
        while (next_start_ < starts_.size() &&
               (live_.empty() || starts_[next_start_].first <= live_.top().time)) {
            const auto [t, id] = starts_[next_start_++];
            begin(t, id);
        }
        if (live_.empty()) return false;
        entry e = live_.top();
        live_.pop();
        session& s = sessions_[e.slot];
        out = s.packets.front();
        s.packets.pop_front();
        if (!s.packets.empty()) {
            live_.push(entry{s.packets.front().time_ns, s.id, e.slot});
        } else {
            free_.push_back(e.slot);
        }
        ++made_;
        return true;
    }

    std::uint64_t packets_made() const noexcept { return made_; }

private:
    struct session {
        std::uint32_t id = 0;
        std::deque<packet_spec> packets;
    };
    struct entry {
        std::int64_t time;
        std::uint32_t id;
        std::uint32_t slot;
        bool operator>(const entry& o) const noexcept { return time != o.time ? time > o.time : id > o.id; }
    };

    static std::int64_t micros(std::uint64_t ns) { return static_cast<std::int64_t>(ns / 1000 * 1000); }

    std::uint32_t slot_for(std::uint32_t id) {
        std::uint32_t slot;
        if (!free_.empty()) {
            slot = free_.back();
            free_.pop_back();
        } else {
            slot = static_cast<std::uint32_t>(sessions_.size());
            sessions_.emplace_back();
        }
        sessions_[slot].id = id;
        sessions_[slot].packets.clear();
        return slot;
    }

    void begin(std::int64_t t, std::uint32_t id) {
        std::mt19937_64 r(o_.seed * 0x9e3779b97f4a7c15ULL + id + 1);
        const std::uint32_t slot = slot_for(id);
        std::deque<packet_spec>& out = sessions_[slot].packets;
        if (id >= o_.sessions) {
            stray(r, t, id - static_cast<std::uint32_t>(o_.sessions), out);
        } else {
            conversation(r, t, out);
        }
        if (out.empty()) {
            free_.push_back(slot);
            return;
        }
        live_.push(entry{out.front().time_ns, id, slot});
    }

    static unsigned pick(std::mt19937_64& r, std::initializer_list<unsigned> weights) {
        unsigned total = 0;
        for (unsigned w : weights) total += w;
        if (total == 0) return 0;
        unsigned x = static_cast<unsigned>(r() % total), i = 0;
        for (unsigned w : weights) {
            if (x < w) return i;
            x -= w;
            ++i;
        }
        return 0;
    }
    static bool chance(std::mt19937_64& r, unsigned percent) { return r() % 100 < percent; }
    static std::uint32_t between(std::mt19937_64& r, std::uint32_t lo, std::uint32_t hi) {
        return hi <= lo ? lo : lo + static_cast<std::uint32_t>(r() % (hi - lo + 1));
    }

    // The endpoints and link layer of a session, in a template packet (client -> server).
    packet_spec endpoints(std::mt19937_64& r, std::uint8_t protocol) const {
        packet_spec p;
        p.protocol = protocol;
        p.ip_version = chance(r, o_.ipv6) ? 6 : 4;
        const auto c = static_cast<std::uint16_t>(r());
        const auto sv = static_cast<std::uint8_t>(1 + r() % 200);
        if (p.ip_version == 4) {
            p.src = ipv4(10, static_cast<std::uint8_t>(r() % 4), static_cast<std::uint8_t>(c >> 8),
                         static_cast<std::uint8_t>(c));
            p.dst = r() % 2 == 0 ? ipv4(192, 0, 2, sv) : ipv4(198, 51, 100, sv);
        } else {
            p.src = ipv6(0x2001, 0xdb8, 0xc, 0, 0, 0, static_cast<std::uint16_t>(r() % 4), c);
            p.dst = ipv6(0x2001, 0xdb8, 5, 0, 0, 0, 0, sv);
            if (chance(r, o_.ext_headers)) {
                static constexpr std::uint8_t kinds[3] = {0, 60, 43};
                p.ext_count = static_cast<std::uint8_t>(1 + r() % 3);
                // Hop-by-hop may only come first; the others in any order after it.
                for (int i = 0; i < p.ext_count; ++i) p.ext[i] = kinds[i == 0 ? r() % 3 : 1 + r() % 2];
            }
        }
        const unsigned tags = pick(r, {100 - std::min(100u, o_.vlan + o_.qinq), o_.vlan, o_.qinq});
        p.vlan_count = static_cast<std::uint8_t>(tags);
        p.vlans[0] = static_cast<std::uint16_t>(1 + r() % 4000);
        p.vlans[1] = static_cast<std::uint16_t>(1 + r() % 4000);
        static constexpr std::uint16_t services[] = {80, 443, 53, 123, 22, 25, 8080, 5060};
        p.src_port = static_cast<std::uint16_t>(1024 + r() % 64512);
        p.dst_port = services[r() % 8];
        return p;
    }

    static packet_spec reversed(const packet_spec& p) {
        packet_spec q = p;
        std::swap(q.src, q.dst);
        std::swap(q.src_port, q.dst_port);
        return q;
    }

    std::int64_t gap(std::mt19937_64& r) const {
        const std::uint64_t g = static_cast<std::uint64_t>(o_.gap_ns > 2 ? o_.gap_ns : 2);
        return std::max<std::int64_t>(1000, micros(g / 2 + r() % (g + 1)));
    }
    static std::int64_t rtt(std::mt19937_64& r) { return micros(100'000 + r() % 1'900'000); }

    void conversation(std::mt19937_64& r, std::int64_t t, std::deque<packet_spec>& out) const {
        const unsigned kind = pick(r, {o_.tcp, o_.udp, o_.icmp, o_.fragmented, o_.other});
        static constexpr std::uint8_t protocols[] = {ip_tcp, ip_udp, ip_icmp, ip_udp, ip_gre};
        packet_spec c = endpoints(r, protocols[kind]);
        if (kind == 2 && c.ip_version == 6) c.protocol = ip_icmpv6;
        packet_spec s = reversed(c);
        std::uint32_t n = between(r, o_.min_exchanges, o_.max_exchanges);
        const bool paused = chance(r, o_.pause);
        const bool long_lived = chance(r, o_.long_lived);
        if (long_lived && o_.long_gap_ns > 0)
            n = std::max(n, static_cast<std::uint32_t>(o_.long_ns / o_.long_gap_ns));
        const std::uint32_t pause_at = n / 2;
        std::vector<packet_spec> seq;
        const auto payload = [&] { return between(r, o_.min_payload, o_.max_payload); };
        auto id = static_cast<std::uint16_t>(r());
        switch (kind) {
        case 0: { // tcp
            packet_spec p = c;
            p.tcp_flags = tcp_syn;
            seq.push_back(p);
            p = s;
            p.tcp_flags = tcp_syn | tcp_ack;
            seq.push_back(p);
            p = c;
            p.tcp_flags = tcp_ack;
            seq.push_back(p);
            for (std::uint32_t i = 0; i < n; ++i) {
                p = i % 2 == 0 ? c : s;
                p.tcp_flags = tcp_psh | tcp_ack;
                p.payload = payload();
                seq.push_back(p);
            }
            const unsigned close = pick(r, {100 - std::min(100u, o_.tcp_rst + o_.tcp_open), o_.tcp_rst, o_.tcp_open});
            if (close == 0) {
                p = c;
                p.tcp_flags = tcp_fin | tcp_ack;
                seq.push_back(p);
                p = s;
                p.tcp_flags = tcp_fin | tcp_ack;
                seq.push_back(p);
                p = c;
                p.tcp_flags = tcp_ack;
                seq.push_back(p);
            } else if (close == 1) {
                p = s;
                p.tcp_flags = tcp_rst | tcp_ack;
                seq.push_back(p);
            }
            break;
        }
        case 1: case 2: { // udp, icmp
            for (std::uint32_t i = 0; i < n; ++i) {
                packet_spec q = c, a = s;
                if (kind == 2) {
                    q.icmp_type = c.ip_version == 4 ? 8 : 128;
                    a.icmp_type = c.ip_version == 4 ? 0 : 129;
                    q.src_port = q.dst_port = a.src_port = a.dst_port = 0;
                }
                q.ip_id = a.ip_id = id++;
                q.payload = kind == 2 ? 56 : payload();
                a.payload = kind == 2 ? 56 : payload();
                seq.push_back(q);
                seq.push_back(a);
            }
            break;
        }
        case 3: { // fragmented udp
            // Fragment data (after the IP header(s)) must be a multiple of 8 except in the last.
            const std::uint32_t per = c.ip_version == 4 ? 1480 : 1448 - 8u * c.ext_count;
            for (std::uint32_t i = 0; i < n; ++i) {
                const std::uint32_t frags = between(r, 2, 3);
                const std::uint32_t total = per * (frags - 1) + between(r, 8, per); // UDP header + data
                std::uint32_t offset = 0;
                for (std::uint32_t f = 0; f < frags; ++f) {
                    packet_spec p = c;
                    p.ip_id = id;
                    const std::uint32_t chunk = std::min(per, total - offset);
                    p.fragment_offset = static_cast<std::uint16_t>(offset / 8);
                    p.more_fragments = f + 1 < frags;
                    p.payload = f == 0 ? chunk - 8 : chunk;
                    offset += chunk;
                    seq.push_back(p);
                }
                ++id;
                packet_spec a = s;
                a.payload = between(r, 0, 200);
                seq.push_back(a);
            }
            break;
        }
        default: { // other: GRE, no ports
            c.src_port = c.dst_port = 0;
            for (std::uint32_t i = 0; i < n; ++i) {
                packet_spec p = c;
                p.payload = payload();
                seq.push_back(p);
            }
            break;
        }
        }
        const std::int64_t spread = long_lived ? o_.long_gap_ns : 0;
        std::uint32_t data = 0;
        bool pause_left = paused;
        for (std::size_t i = 0; i < seq.size(); ++i) {
            packet_spec p = seq[i];
            if (i > 0) {
                const bool reply = !(p.src == seq[i - 1].src);
                std::int64_t step = reply ? rtt(r) : gap(r);
                if (spread != 0) step = micros(static_cast<std::uint64_t>(spread));
                if (pause_left && data >= pause_at) {
                    step = o_.pause_ns;
                    pause_left = false;
                }
                t += step;
            }
            if (p.payload != 0) ++data;
            p.time_ns = t;
            out.push_back(p);
        }
    }

    void stray(std::mt19937_64& r, std::int64_t t, std::uint32_t n, std::deque<packet_spec>& out) const {
        const std::size_t arps = (o_.sessions * o_.arp + 999) / 1000;
        const std::size_t truncs = (o_.sessions * o_.truncated + 999) / 1000;
        packet_spec p = endpoints(r, ip_tcp);
        p.time_ns = t;
        p.tcp_flags = tcp_ack;
        p.payload = between(r, 0, 600);
        if (n < arps) {
            p.arp = true;
        } else if (n < arps + truncs) {
            // Cut inside the TCP ports or inside the IP header (no flow); or after the TCP ports
            // but before the flags (a flow packet with flags 0).
            const std::uint32_t link = p.vlan_count * 4u + 14;
            const std::uint32_t ip = facts_of(p).ip_length - 20 - p.payload;
            static constexpr std::uint32_t cuts[3] = {2, 0, 10};
            p.snap = n % 3 == 1 ? link + 12 : link + ip + cuts[n % 3];
        } else {
            static constexpr damage kinds[] = {damage::bad_ip_version, damage::short_ihl,
                                               damage::length_overrun, damage::short_tcp_offset};
            p.harm = kinds[n % 4];
            if (p.harm == damage::short_ihl) p.ip_version = 4;
            if (p.ip_version == 4) {
                p.ext_count = 0;
                p.src = ipv4(10, 9, 9, static_cast<std::uint8_t>(n));
                p.dst = ipv4(192, 0, 2, 9);
            }
        }
        out.push_back(p);
    }

    traffic_options o_;
    std::mt19937_64 rng_;
    std::vector<std::pair<std::int64_t, std::uint32_t>> starts_;
    std::size_t next_start_ = 0;
    std::deque<session> sessions_;
    std::vector<std::uint32_t> free_;
    std::priority_queue<entry, std::vector<entry>, std::greater<entry>> live_;
    std::uint64_t made_ = 0;
};

// Every packet of the traffic, in time order (for small captures a test inspects).
inline std::vector<packet_spec> all_packets(const traffic_options& o) {
    traffic t(o);
    std::vector<packet_spec> v;
    packet_spec p;
    while (t.next(p)) v.push_back(p);
    return v;
}

// Writes the traffic to `path`; returns the number of packets.
inline std::uint64_t write_traffic(const std::string& path, const traffic_options& o,
                                   const writer_options& w = {}) {
    writer out(path, w);
    traffic t(o);
    packet_spec p;
    while (t.next(p)) out.write(p);
    out.close();
    return t.packets_made();
}

// Writes given packets to `path`.
inline void write_packets(const std::string& path, const std::vector<packet_spec>& packets,
                          const writer_options& w = {}) {
    writer out(path, w);
    for (const packet_spec& p : packets) out.write(p);
    out.close();
}

} // namespace factory::capture
