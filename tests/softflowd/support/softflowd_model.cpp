#include "softflowd_model.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <tuple>

#include <arpa/inet.h>

namespace factory::testing {

namespace {

std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }

// Ports (and TCP flags) from a transport header of `avail` captured bytes at `t`.
void transport(decoded& d, const std::uint8_t* t, std::size_t avail, bool later_fragment) {
    if (later_fragment) return;
    switch (d.protocol) {
    case capture::ip_tcp:
        if (avail < 20) return;
        d.src_port = be16(t);
        d.dst_port = be16(t + 2);
        d.tcp_flags = t[13];
        return;
    case capture::ip_udp:
        if (avail < 8) return;
        d.src_port = be16(t);
        d.dst_port = be16(t + 2);
        return;
    case capture::ip_icmp: case capture::ip_icmpv6:
        if (avail < 2) return; // softflowd reads them regardless; the captures here always hold them
        d.dst_port = static_cast<std::uint16_t>(t[0] * 256 + t[1]);
        return;
    default: return;
    }
}

std::string text_of(const capture::address& a, std::uint8_t version) {
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(version == 4 ? AF_INET : AF_INET6, a.data(), buf, sizeof buf);
    return buf;
}

std::int64_t ms_of(std::int64_t ns) {
    const std::int64_t sec = ns / 1'000'000'000, usec = ns % 1'000'000'000 / 1000;
    return sec * 1000 + usec / 1000;
}

} // namespace

decoded softflowd_decode(const std::vector<std::uint8_t>& c, std::uint32_t wire_length) {
    decoded d;
    if (c.size() <= 14) return d;
    std::size_t link = 14;
    std::uint16_t type = be16(&c[12]);
    if (type == 0x8100) {
        link = 18;
        if (c.size() < 18) return d;
        type = be16(&c[16]);
    }
    if (type != 0x0800 && type != 0x86dd) return d;
    const std::uint8_t* ip = c.data() + link;
    const std::size_t avail = c.size() - link;
    d.bytes = wire_length - static_cast<std::uint32_t>(link);
    if (type == 0x0800) {
        if (avail < 20 || (ip[0] >> 4) != 4) return d;
        const std::size_t ihl = (ip[0] & 0x0f) * 4u;
        if (avail < ihl) return d;
        d.ip_version = 4;
        d.protocol = ip[9];
        std::memcpy(d.src.data(), ip + 12, 4);
        std::memcpy(d.dst.data(), ip + 16, 4);
        const std::uint16_t off = be16(ip + 6);
        d.flow = true;
        transport(d, ip + ihl, avail - ihl, (off & 0x1fff) != 0);
        return d;
    }
    if (avail < 40 || (ip[0] >> 4) != 6) return d;
    d.ip_version = 6;
    std::memcpy(d.src.data(), ip + 8, 16);
    std::memcpy(d.dst.data(), ip + 24, 16);
    d.flow = true;
    std::uint8_t next = ip[6];
    const std::uint8_t* p = ip + 40;
    std::size_t left = avail - 40;
    for (;;) {
        if (next == 0 || next == 43 || next == 60) {
            if (left < 2 || left < (p[1] + 1u) * 8u) return d; // protocol stays 0
            next = p[0];
            const std::size_t len = (p[1] + 1u) * 8u;
            p += len;
            left -= len;
        } else if (next == 44) {
            if (left < 8) return d;
            if ((be16(p + 2) & 0xfff8) != 0) return d; // a later fragment: protocol 0, ports 0
            next = p[0];
            p += 8;
            left -= 8;
        } else {
            break;
        }
    }
    d.protocol = next;
    transport(d, p, left, false);
    return d;
}

decoded factory_decode(const capture::packet_spec& p) {
    const capture::packet_facts f = capture::facts_of(p);
    decoded d;
    if (f.what != capture::verdict::flow) return d;
    d.flow = true;
    d.ip_version = f.ip_version;
    d.protocol = f.protocol;
    d.tcp_flags = f.tcp_flags;
    d.src = f.src;
    d.dst = f.dst;
    d.src_port = f.src_port;
    d.dst_port = f.dst_port;
    d.bytes = f.wire_length - f.link_length;
    return d;
}

model_result run_model(const std::vector<capture::packet_spec>& packets,
                       const std::function<decoded(const capture::packet_spec&)>& decode,
                       const model_options& o) {
    struct side {
        std::uint64_t packets = 0, bytes = 0;
    };
    struct flow {
        std::int64_t first_ns = 0, last_ns = 0;
        bool marked = false;
        side dir[2]; // [0]: from the smaller address
    };
    // (version, protocol, smaller address, larger address, port of the smaller, of the larger)
    using key = std::tuple<std::uint8_t, std::uint8_t, capture::address, capture::address, std::uint16_t, std::uint16_t>;
    std::map<key, flow> live;
    model_result out;

    auto emit = [&](const key& k, const flow& f) {
        for (int d = 0; d < 2; ++d) {
            if (f.dir[d].packets == 0) continue;
            nf_record r;
            const std::uint8_t v = std::get<0>(k);
            r.protocol = std::get<1>(k);
            r.src = text_of(d == 0 ? std::get<2>(k) : std::get<3>(k), v);
            r.dst = text_of(d == 0 ? std::get<3>(k) : std::get<2>(k), v);
            r.src_port = d == 0 ? std::get<4>(k) : std::get<5>(k);
            r.dst_port = d == 0 ? std::get<5>(k) : std::get<4>(k);
            r.packets = f.dir[d].packets;
            r.bytes = f.dir[d].bytes;
            r.first_ms = ms_of(f.first_ns);
            r.last_ms = ms_of(f.last_ns);
            out.records.push_back(r);
        }
    };

    std::uint64_t n = 0;
    for (const capture::packet_spec& p : packets) {
        ++n;
        const decoded d = decode(p);
        if (d.flow) {
            ++out.flow_packets;
            const bool swap = std::memcmp(d.src.data(), d.dst.data(), d.ip_version == 4 ? 4 : 16) > 0;
            key k = swap ? key{d.ip_version, d.protocol, d.dst, d.src, d.dst_port, d.src_port}
                         : key{d.ip_version, d.protocol, d.src, d.dst, d.src_port, d.dst_port};
            auto [it, fresh] = live.try_emplace(k);
            flow& f = it->second;
            if (fresh) f.first_ns = p.time_ns;
            f.last_ns = p.time_ns;
            side& s = f.dir[swap ? 1 : 0];
            ++s.packets;
            s.bytes += d.bytes;
            if (o.maxlife_s > 0 && f.last_ns / 1'000'000'000 - f.first_ns / 1'000'000'000 > o.maxlife_s)
                f.marked = true;
            out.max_live_flows = std::max<std::uint64_t>(out.max_live_flows, live.size());
        } else {
            ++out.ignored;
        }
        if (n % o.batch == 0) {
            for (auto it = live.begin(); it != live.end();) {
                if (!it->second.marked) {
                    ++it;
                    continue;
                }
                emit(it->first, it->second);
                it = live.erase(it);
            }
        }
    }
    for (const auto& [k, f] : live) emit(k, f);
    std::sort(out.records.begin(), out.records.end());
    return out;
}

} // namespace factory::testing
