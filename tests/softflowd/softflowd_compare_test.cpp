// factory against softflowd 1.1 on the same captures, both read back from nfcapd with nfdump:
// with the settings that mirror softflowd's file mode (biflow keys, bytes as wire length minus
// the link header, FIN / RST not ending flows, no timeouts), factory's flows equal softflowd's
// record for record (addresses, ports, protocol, packets, bytes, first, last), and every
// remaining difference is exactly the one README.md names, each checked here against the test's
// own model of both (support/softflowd_model.hpp).
#include "capture/capture.hpp"
#include "support/host_run.hpp"
#include "support/nfdump_tools.hpp"
#include "support/softflowd_model.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>

#include <arpa/inet.h>

using namespace factory::testing;
namespace cap = factory::capture;

namespace {

constexpr std::size_t big_buffer = 8u << 20; // softflowd sends unpaced: give its nfcapd room

struct capture_file {
    std::vector<cap::packet_spec> packets;
    std::string path;
};

capture_file make_capture(const temp_dir& dir, const cap::traffic_options& o) {
    capture_file c{cap::all_packets(o), dir / "capture.pcap"};
    cap::write_packets(c.path, c.packets);
    return c;
}

std::vector<nf_record> run_softflowd(const temp_dir& dir, const std::string& capture, std::int64_t maxlife_s,
                                     std::uint64_t batch) {
    std::filesystem::create_directories(dir.path() / "softflowd");
    nfcapd collector(dir.path() / "softflowd", false, big_buffer);
    {
        child_process sf({"softflowd", "-r", capture, "-v", "10", "-A", "milli", "-a", "-d", "-n", collector.address(),
                          "-t", "maxlife=" + std::to_string(maxlife_s), "-m", std::to_string(batch)},
                         dir.path() / "softflowd.out", dir.path() / "softflowd.err");
        int rc = sf.wait(std::chrono::seconds(60));
        INFO(read_text(dir.path() / "softflowd.out") << read_text(dir.path() / "softflowd.err"));
        REQUIRE(rc == 0);
    }
    collector.wait_drained();
    REQUIRE(collector.socket_drops() == 0);
    // softflowd's sequence numbers do not count data records as RFC 7011 says (they count flows,
    // two records each), so nfcapd reports sequence errors with nothing lost: the socket's drop
    // counter above is what tells loss here.
    collector.stop();
    auto flows = collector.flows();
    std::sort(flows.begin(), flows.end());
    return flows;
}

struct factory_run {
    std::vector<nf_record> flows;
    nlohmann::json summary;
};

factory_run run_factory(const temp_dir& dir, const std::string& capture) {
    std::filesystem::create_directories(dir.path() / "factory");
    nfcapd collector(dir.path() / "factory");
    auto r = factory::testing::run_host(
        {"--source", "pcap:file=" + capture + ",key=biflow", "--blueprint",
         "flowmeter:bytes=wire,end_on_fin=false,end_on_rst=false", "--clock", "material", "--contract", "480h",
         "--max-age", "0", "--inspect", "0", "--workshops", "2", "--exporter",
         "ipfix:collector=" + collector.address(), "--dead-letter", (dir.path() / "dead").string()},
        {.timeout = std::chrono::seconds(120), .cwd = dir.path() / "factory"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE(r.summary.at("balanced") == true);
    collector.wait_drained();
    CHECK(collector.socket_drops() == 0); // the ipfix exporter's pacing, against nfcapd's default buffer
    std::string log = collector.stop();
    INFO(log);
    CHECK_THAT(log, Catch::Contains("Sequence Errors: 0"));
    factory_run out{collector.flows(), r.summary};
    std::sort(out.flows.begin(), out.flows.end());
    return out;
}

// Lists up to `n` records of `v` in the test's output.
void show(const char* what, const std::vector<nf_record>& v, std::size_t n = 8) {
    for (std::size_t i = 0; i < v.size() && i < n; ++i) UNSCOPED_INFO(what << ": " << to_string(v[i]));
}

std::vector<nf_record> minus(const std::vector<nf_record>& a, const std::vector<nf_record>& b) {
    std::vector<nf_record> out;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

bool same(const decoded& a, const decoded& b) {
    if (a.flow != b.flow) return false;
    if (!a.flow) return true;
    return a.ip_version == b.ip_version && a.protocol == b.protocol && a.src == b.src && a.dst == b.dst &&
           a.src_port == b.src_port && a.dst_port == b.dst_port && a.bytes == b.bytes;
}

// A flow's identity in either direction, as text: "proto lowaddr:port highaddr:port".
std::string conversation(const nf_record& r) {
    std::string a = r.src + ":" + std::to_string(r.src_port), b = r.dst + ":" + std::to_string(r.dst_port);
    if (b < a) std::swap(a, b);
    return std::to_string(r.protocol) + " " + a + " " + b;
}

std::string conversation(const decoded& d) {
    nf_record r;
    char s[64], t[64];
    inet_ntop(d.ip_version == 4 ? AF_INET : AF_INET6, d.src.data(), s, sizeof s);
    inet_ntop(d.ip_version == 4 ? AF_INET : AF_INET6, d.dst.data(), t, sizeof t);
    r.src = s;
    r.dst = t;
    r.src_port = d.src_port;
    r.dst_port = d.dst_port;
    r.protocol = d.protocol;
    return conversation(r);
}

// Traffic without the packets the two sides are known to treat differently (QinQ, fragments,
// truncated and malformed packets): where factory's flows must equal softflowd's.
cap::traffic_options comparable_traffic(std::uint64_t seed, std::size_t sessions) {
    cap::traffic_options o;
    o.seed = seed;
    o.sessions = sessions;
    o.qinq = 0;
    o.fragmented = 0;
    o.truncated = 0;
    o.malformed = 0;
    return o;
}

// One packet of a hand-made conversation, `at_ms` after a fixed start.
cap::packet_spec packet(std::int64_t at_ms, const cap::address& src, std::uint16_t sport, const cap::address& dst,
                        std::uint16_t dport, std::uint8_t protocol, std::uint8_t flags = 0, std::uint32_t payload = 0) {
    cap::packet_spec p;
    p.time_ns = 1'700'000'000'000'000'000 + at_ms * 1'000'000;
    // An IPv4 address holds only its first 4 bytes.
    p.ip_version = std::any_of(src.begin() + 4, src.end(), [](std::uint8_t x) { return x != 0; }) ? 6 : 4;
    p.src = src;
    p.dst = dst;
    p.protocol = protocol;
    p.src_port = sport;
    p.dst_port = dport;
    p.tcp_flags = flags;
    p.payload = payload;
    return p;
}

// Loopback traffic, as tcpdump -i lo writes it on Linux (Ethernet frames with zero MACs): both
// ends of every conversation have the same address. Each reverse direction starts after and ends
// before its forward one, so one flow per conversation would give it other first and last times.
// Then one ordinary conversation between two addresses, which stays one biflow.
std::vector<cap::packet_spec> loopback_traffic() {
    const cap::address lo4 = cap::ipv4(127, 0, 0, 1), lo6 = cap::ipv6(0, 0, 0, 0, 0, 0, 0, 1);
    const cap::address a = cap::ipv4(10, 0, 0, 1), b = cap::ipv4(10, 0, 0, 2);
    using namespace cap;
    std::vector<packet_spec> v = {
        // TCP over IPv4: 127.0.0.1:40000 <-> 127.0.0.1:8080
        packet(0, lo4, 40000, lo4, 8080, ip_tcp, tcp_syn),
        packet(10, lo4, 8080, lo4, 40000, ip_tcp, tcp_syn | tcp_ack),
        packet(20, lo4, 40000, lo4, 8080, ip_tcp, tcp_ack),
        packet(500, lo4, 40000, lo4, 8080, ip_tcp, tcp_psh | tcp_ack, 100),
        packet(1200, lo4, 8080, lo4, 40000, ip_tcp, tcp_psh | tcp_ack, 1000),
        packet(2000, lo4, 40000, lo4, 8080, ip_tcp, tcp_fin | tcp_ack),
        packet(2100, lo4, 8080, lo4, 40000, ip_tcp, tcp_fin | tcp_ack),
        packet(2200, lo4, 40000, lo4, 8080, ip_tcp, tcp_ack),
        // UDP over IPv4, a resolver on loopback
        packet(3000, lo4, 50000, lo4, 53, ip_udp, 0, 30),
        packet(3004, lo4, 53, lo4, 50000, ip_udp, 0, 90),
        packet(4000, lo4, 50000, lo4, 53, ip_udp, 0, 30),
        packet(4002, lo4, 53, lo4, 50000, ip_udp, 0, 90),
        // TCP over IPv6: [::1]:41000 <-> [::1]:9000
        packet(5000, lo6, 41000, lo6, 9000, ip_tcp, tcp_syn),
        packet(5001, lo6, 9000, lo6, 41000, ip_tcp, tcp_syn | tcp_ack),
        packet(5002, lo6, 41000, lo6, 9000, ip_tcp, tcp_ack, 500),
        packet(5300, lo6, 9000, lo6, 41000, ip_tcp, tcp_ack, 2000),
        packet(5900, lo6, 41000, lo6, 9000, ip_tcp, tcp_rst),
        // UDP with the same port at both ends: both directions are one key, so one flow
        packet(7000, lo4, 7000, lo4, 7000, ip_udp, 0, 10),
        packet(7500, lo4, 7000, lo4, 7000, ip_udp, 0, 20),
        // An ordinary conversation: one biflow, two records sharing its first and last
        packet(8000, a, 1234, b, 80, ip_tcp, tcp_syn),
        packet(8010, b, 80, a, 1234, ip_tcp, tcp_syn | tcp_ack),
        packet(8020, a, 1234, b, 80, ip_tcp, tcp_ack),
    };
    // ICMP echo over loopback: request and reply (type 8 and 0)
    packet_spec request = packet(6000, lo4, 0, lo4, 0, ip_icmp, 0, 56), reply = request;
    request.icmp_type = 8;
    reply.time_ns += 1'000'000;
    reply.icmp_type = 0;
    v.insert(v.begin() + 17, {request, reply});
    return v;
}

const nf_record* find_record(const std::vector<nf_record>& v, const std::string& src, std::uint16_t sport,
                             std::uint16_t dport) {
    for (const auto& r : v)
        if (r.src == src && r.src_port == sport && r.dst_port == dport) return &r;
    return nullptr;
}

} // namespace

TEST_CASE("without QinQ, damaged packets or fragments, factory's flows equal softflowd's record for record",
          "[softflowd]") {
    temp_dir dir;
    capture_file c = make_capture(dir, comparable_traffic(11, 600));
    auto sf = run_softflowd(dir, c.path, 0, 8192);
    auto fa = run_factory(dir, c.path);
    REQUIRE(sf.size() > 1000);
    show("softflowd only", minus(sf, fa.flows));
    show("factory only", minus(fa.flows, sf));
    CHECK(fa.flows == sf);
    CHECK(fa.summary.at("dead_lettered").at("materials") == 0);
    // The test's model of softflowd agrees too.
    model_result m = run_model(c.packets, [](const cap::packet_spec& p) { return factory_decode(p); }, {});
    CHECK(m.records == sf);
}

TEST_CASE("with QinQ, fragments and damaged packets, the differences are exactly the decoding ones",
          "[softflowd]") {
    temp_dir dir;
    cap::traffic_options o;
    o.seed = 12;
    o.sessions = 800;
    o.truncated = 20; // per thousand sessions: enough of each stray kind
    o.malformed = 20;
    capture_file c = make_capture(dir, o);
    auto sf = run_softflowd(dir, c.path, 0, 8192);
    auto fa = run_factory(dir, c.path);

    // Each side as the model says, from the capture alone.
    auto sf_decode = [](const cap::packet_spec& p) {
        return softflowd_decode(cap::build_frame(p), cap::facts_of(p).wire_length);
    };
    auto fa_decode = [](const cap::packet_spec& p) { return factory_decode(p); };
    model_result sf_model = run_model(c.packets, sf_decode, {});
    model_result fa_model = run_model(c.packets, fa_decode, {});
    REQUIRE(sf_model.max_live_flows <= 8192);
    show("softflowd, not in the model", minus(sf, sf_model.records));
    show("model, not from softflowd", minus(sf_model.records, sf));
    CHECK(sf == sf_model.records);
    show("factory, not in the model", minus(fa.flows, fa_model.records));
    show("model, not from factory", minus(fa_model.records, fa.flows));
    CHECK(fa.flows == fa_model.records);

    // Where the two differ, it is in conversations that hold a packet the two decoders read
    // differently, and nowhere else; and there are such packets of every kind README.md lists.
    std::set<std::string> touched;
    std::map<std::string, int> kinds;
    for (const cap::packet_spec& p : c.packets) {
        decoded a = sf_decode(p), b = fa_decode(p);
        if (same(a, b)) continue;
        if (a.flow) touched.insert(conversation(a));
        if (b.flow) touched.insert(conversation(b));
        const cap::packet_facts f = cap::facts_of(p);
        if (p.vlan_count == 2) ++kinds["qinq"];
        else if (f.what == cap::verdict::truncated) ++kinds["tcp cut before its ports"];
        else if (f.what == cap::verdict::malformed) ++kinds["malformed"];
        else if (p.fragment_offset != 0 && p.ip_version == 6) ++kinds["ipv6 later fragment"];
        else if (f.what == cap::verdict::flow && p.snap != 0) ++kinds["tcp cut after its ports"];
        else ++kinds["unexplained"];
    }
    for (const auto& [k, n] : kinds) UNSCOPED_INFO(k << ": " << n << " packets");
    std::set<std::string> seen;
    for (const auto& k : kinds) seen.insert(k.first);
    CHECK(seen == std::set<std::string>{"ipv6 later fragment", "malformed", "qinq", "tcp cut after its ports",
                                        "tcp cut before its ports"});

    std::vector<nf_record> differ = minus(sf, fa.flows), more = minus(fa.flows, sf);
    differ.insert(differ.end(), more.begin(), more.end());
    CHECK_FALSE(differ.empty());
    for (const nf_record& r : differ) {
        INFO(to_string(r));
        CHECK(touched.count(conversation(r)) == 1);
    }
    std::size_t equal = 0;
    for (const nf_record& r : fa.flows) equal += touched.count(conversation(r)) == 0 ? 1 : 0;
    CHECK(equal > fa.flows.size() / 2);

    // Factory dead-letters what it cannot make a flow of: the truncated and malformed packets.
    std::uint64_t rejected = 0;
    for (const cap::packet_spec& p : c.packets) {
        auto w = cap::facts_of(p).what;
        rejected += w == cap::verdict::truncated || w == cap::verdict::malformed ? 1 : 0;
    }
    CHECK(fa.summary.at("dead_lettered").at("materials") == rejected);
}

TEST_CASE("softflowd's maxlife ends flows at the end of a batch of -m packets, factory has none",
          "[softflowd]") {
    temp_dir dir;
    cap::traffic_options o = comparable_traffic(13, 60);
    o.long_lived = 60;
    capture_file c = make_capture(dir, o);
    const std::int64_t maxlife = 30;
    const std::uint64_t batch = 97; // more than the flows alive at once, fewer than the packets
    auto sf = run_softflowd(dir, c.path, maxlife, batch);
    auto fa = run_factory(dir, c.path);

    auto fa_decode = [](const cap::packet_spec& p) { return factory_decode(p); };
    model_result split = run_model(c.packets, fa_decode, {maxlife, batch});
    model_result whole = run_model(c.packets, fa_decode, {});
    REQUIRE(split.max_live_flows <= batch);
    show("softflowd, not in the model", minus(sf, split.records));
    show("model, not from softflowd", minus(split.records, sf));
    CHECK(sf == split.records);
    CHECK(fa.flows == whole.records);

    // The difference is only the splitting: per conversation and direction, the same packets and
    // bytes, in more records on softflowd's side.
    std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> sf_sum, fa_sum;
    for (const auto& r : sf) {
        auto& s = sf_sum[conversation(r) + (r.src < r.dst ? " >" : " <")];
        s.first += r.packets;
        s.second += r.bytes;
    }
    for (const auto& r : fa.flows) {
        auto& s = fa_sum[conversation(r) + (r.src < r.dst ? " >" : " <")];
        s.first += r.packets;
        s.second += r.bytes;
    }
    CHECK(sf_sum == fa_sum);
    CHECK(sf.size() > fa.flows.size());
}

TEST_CASE("loopback traffic (both ends one address): each direction is its own flow, as in softflowd",
          "[softflowd]") {
    temp_dir dir;
    capture_file c{loopback_traffic(), dir / "loopback.pcap"};
    cap::write_packets(c.path, c.packets);
    auto sf = run_softflowd(dir, c.path, 0, 8192);
    auto fa = run_factory(dir, c.path);
    show("softflowd", sf, 20);
    show("factory only", minus(fa.flows, sf));
    // 2 + 2 + 2 + 2 one-way flows of loopback conversations, 1 flow of the same-port one, and the
    // ordinary biflow's 2 records.
    REQUIRE(sf.size() == 11);
    CHECK(fa.flows == sf);
    model_result m = run_model(c.packets, [](const cap::packet_spec& p) { return factory_decode(p); }, {});
    CHECK(m.records == sf);

    const std::int64_t t0 = 1'700'000'000'000;
    const nf_record* forward = find_record(fa.flows, "127.0.0.1", 40000, 8080);
    const nf_record* reverse = find_record(fa.flows, "127.0.0.1", 8080, 40000);
    REQUIRE(forward != nullptr);
    REQUIRE(reverse != nullptr);
    CHECK(forward->packets == 5);
    CHECK(forward->first_ms == t0);
    CHECK(forward->last_ms == t0 + 2200);
    CHECK(reverse->packets == 3);
    CHECK(reverse->first_ms == t0 + 10);
    CHECK(reverse->last_ms == t0 + 2100);
    const nf_record* v6 = find_record(fa.flows, "::1", 9000, 41000);
    REQUIRE(v6 != nullptr);
    CHECK(v6->first_ms == t0 + 5001);
    CHECK(v6->last_ms == t0 + 5300);
    const nf_record* same_port = find_record(fa.flows, "127.0.0.1", 7000, 7000);
    REQUIRE(same_port != nullptr);
    CHECK(same_port->packets == 2);
    // The ordinary conversation stays one biflow: its reply carries the flow's first and last.
    const nf_record* reply = find_record(fa.flows, "10.0.0.2", 80, 1234);
    REQUIRE(reply != nullptr);
    CHECK(reply->first_ms == t0 + 8000);
    CHECK(reply->last_ms == t0 + 8020);
}
