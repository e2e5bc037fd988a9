// The pcap source through its C hooks, as purchasing drives it: materials, pids, times and packet
// numbers, rejects with their reasons, settings, and a stop in the middle of a file.
#include "source_pcap/flow_key.hpp"
#include "source_pcap/pcap_source.hpp"

#include "capture/capture.hpp"
#include "support/fake_purchasing.hpp"
#include "support/load_plugin.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <map>
#include <set>

namespace cap = factory::capture;
using factory::testing::fake_purchasing;
using factory::testing::temp_dir;

namespace {

const factory_descriptor* descriptor() {
    return factory::detail::source_descriptor<factory::pcap::pcap_source>();
}

cap::traffic_options traffic(std::uint64_t seed = 9) {
    cap::traffic_options o;
    o.seed = seed;
    o.sessions = 150;
    o.arp = o.truncated = o.malformed = 30;
    return o;
}

bool same_key(const factory_packet& p, const cap::packet_facts& f) {
    return p.ip_version == f.ip_version && p.protocol == f.protocol && p.src_port == f.src_port &&
           p.dst_port == f.dst_port && std::memcmp(p.src_addr, f.src.data(), 16) == 0 &&
           std::memcmp(p.dst_addr, f.dst.data(), 16) == 0;
}

} // namespace

TEST_CASE("the built plugin loads and describes itself") {
    const factory_descriptor* d = factory::testing::load_plugin(FACTORY_TEST_PLUGIN);
    REQUIRE(std::string(d->name) == "pcap");
    REQUIRE(d->kind == FACTORY_KIND_SOURCE);
    REQUIRE(factory::testing::find_setting(d, "file") != nullptr);
    REQUIRE(factory::testing::find_setting(d, "key") != nullptr);
    // A capture file's packet times are event time: the host picks the material clock from this.
    CHECK(factory::testing::find_setting(d, "file")->flags == FACTORY_SETTING_EVENT_TIME);
    CHECK(factory::testing::find_setting(d, "interface")->flags == 0);
    REQUIRE(d->notes != nullptr);
    CHECK_THAT(d->notes, Catch::Contains("material clock"));
}

TEST_CASE("one material per flow packet, in capture order, with its time, number and flow pid") {
    temp_dir dir;
    const auto packets = cap::all_packets(traffic());
    cap::write_packets(dir / "t.pcap", packets);
    fake_purchasing p(descriptor(), {{"file", dir / "t.pcap"}});
    REQUIRE(p.open() == FACTORY_OK);
    // A small room: the stream must not depend on how it is cut into calls.
    REQUIRE(p.fill_to_end(37) == FACTORY_END);
    std::size_t m = 0, rejected = 0;
    for (std::size_t i = 0; i < packets.size(); ++i) {
        const auto f = cap::facts_of(packets[i]);
        if (f.what == cap::verdict::not_ip) continue;
        if (f.what != cap::verdict::flow) {
            REQUIRE(rejected < p.room.rejects.size());
            const std::string& why = p.room.rejects[rejected++].reason;
            CHECK(why.find("packet " + std::to_string(i + 1) + ": ") == 0);
            CHECK(why.find(f.what == cap::verdict::truncated ? "truncated" : "malformed") != std::string::npos);
            continue;
        }
        REQUIRE(m < p.room.materials.size());
        const auto& mat = p.room.materials[m++];
        const auto pk = mat.as<factory_packet>();
        INFO("packet " << i + 1);
        CHECK(mat.format == FACTORY_FORMAT_PACKET);
        CHECK(mat.payload.size() == sizeof(factory_packet));
        CHECK(mat.time_ns == packets[i].time_ns);
        CHECK(pk.packet_number == i + 1);
        CHECK(same_key(pk, f));
        CHECK(mat.pid == factory::pcap::flow_pid(pk, factory::pcap::key_mode::five_tuple));
    }
    CHECK(m == p.room.materials.size());
    CHECK(rejected == p.room.rejects.size());
    CHECK(rejected > 0);
    // The closing line counts what was skipped.
    REQUIRE(!p.host.logs.empty());
    CHECK(p.host.logs.back().find(std::to_string(packets.size()) + " packets") != std::string::npos);
}

TEST_CASE("5tuple keys give the two directions two pids, biflow keys one") {
    temp_dir dir;
    cap::traffic_options o = traffic(3);
    o.arp = o.truncated = o.malformed = 0;
    o.fragmented = 0;
    cap::write_packets(dir / "t.pcap", cap::all_packets(o));
    for (const char* key : {"5tuple", "biflow"}) {
        fake_purchasing p(descriptor(), {{"file", dir / "t.pcap"}, {"key", key}});
        REQUIRE(p.open() == FACTORY_OK);
        REQUIRE(p.fill_to_end(1000) == FACTORY_END);
        // One pid per key, and one key per pid.
        std::map<std::uint64_t, std::set<std::string>> keys_of_pid;
        std::size_t reversed_same = 0, reversed_other = 0;
        std::map<std::string, std::uint64_t> pid_of_tuple;
        for (const auto& mat : p.room.materials) {
            auto pk = mat.as<factory_packet>();
            std::string k(reinterpret_cast<const char*>(&pk), 38);
            pid_of_tuple[k] = mat.pid;
            factory_packet r = pk;
            std::memcpy(r.src_addr, pk.dst_addr, 16);
            std::memcpy(r.dst_addr, pk.src_addr, 16);
            r.src_port = pk.dst_port;
            r.dst_port = pk.src_port;
            std::string rk(reinterpret_cast<const char*>(&r), 38);
            if (pid_of_tuple.count(rk) != 0) (pid_of_tuple[rk] == mat.pid ? reversed_same : reversed_other) += 1;
            if (std::string(key) == "biflow") {
                const bool swap = factory::pcap::address_after(pk.src_addr, pk.dst_addr);
                keys_of_pid[mat.pid].insert(swap ? rk : k);
            } else {
                keys_of_pid[mat.pid].insert(k);
            }
        }
        INFO(key);
        for (const auto& [pid, ks] : keys_of_pid) CHECK(ks.size() == 1);
        CHECK(reversed_same + reversed_other > 100);
        if (std::string(key) == "biflow") CHECK(reversed_other == 0);
        else CHECK(reversed_same == 0);
    }
}

TEST_CASE("non_ip=reject dead-letters ARP, and skip (the default) only counts it") {
    temp_dir dir;
    cap::packet_spec arp;
    arp.arp = true;
    arp.time_ns = 1'000'000'000;
    cap::packet_spec tcp;
    tcp.time_ns = 2'000'000'000;
    tcp.src = cap::ipv4(10, 0, 0, 1);
    tcp.dst = cap::ipv4(10, 0, 0, 2);
    cap::write_packets(dir / "a.pcap", {arp, tcp, arp});
    fake_purchasing skip(descriptor(), {{"file", dir / "a.pcap"}});
    REQUIRE(skip.open() == FACTORY_OK);
    REQUIRE(skip.fill_to_end(10) == FACTORY_END);
    CHECK(skip.room.materials.size() == 1);
    CHECK(skip.room.rejects.empty());
    CHECK(skip.room.materials[0].as<factory_packet>().packet_number == 2);
    CHECK(skip.host.logs.back().find("2 not IP (skipped)") != std::string::npos);
    fake_purchasing reject(descriptor(), {{"file", dir / "a.pcap"}, {"non_ip", "reject"}});
    REQUIRE(reject.open() == FACTORY_OK);
    REQUIRE(reject.fill_to_end(10) == FACTORY_END);
    REQUIRE(reject.room.rejects.size() == 2);
    CHECK(reject.room.rejects[0].reason == "packet 1: not IP: EtherType 0x0806");
    CHECK(reject.room.rejects[1].reason.find("packet 3:") == 0);
}

TEST_CASE("a damaged file: what came before is read, the rest dead-lettered once, the input ends") {
    temp_dir dir;
    const auto packets = cap::all_packets(traffic(4));
    cap::write_packets(dir / "cut.pcap", packets);
    cap::truncate_to(dir / "cut.pcap", std::filesystem::file_size(dir / "cut.pcap") - 3);
    fake_purchasing p(descriptor(), {{"file", dir / "cut.pcap"}});
    REQUIRE(p.open() == FACTORY_OK);
    REQUIRE(p.fill_to_end(500) == FACTORY_END);
    REQUIRE(!p.room.rejects.empty());
    CHECK(p.room.rejects.back().reason.find("ends inside a record") != std::string::npos);
    bool warned = false;
    for (const auto& l : p.host.logs) warned = warned || l.find("damaged") != std::string::npos;
    CHECK(warned);
    std::size_t flows = 0;
    for (std::size_t i = 0; i + 1 < packets.size(); ++i)
        flows += cap::facts_of(packets[i]).what == cap::verdict::flow ? 1 : 0;
    CHECK(p.room.materials.size() == flows);
}

TEST_CASE("a record whose original length is below its captured length is dead-lettered with its number") {
    temp_dir dir;
    std::vector<cap::packet_spec> specs(4);
    for (std::size_t i = 0; i < specs.size(); ++i) {
        specs[i].time_ns = static_cast<std::int64_t>(i + 1) * 1'000'000'000;
        specs[i].src = cap::ipv4(10, 0, 0, 1);
        specs[i].dst = cap::ipv4(10, 0, 0, 2);
    }
    for (const auto format : {cap::file_format::pcap_us, cap::file_format::pcapng}) {
        const std::string file = dir / (format == cap::file_format::pcapng ? "short.pcapng" : "short.pcap");
        std::uint32_t caplen = 0;
        {
            cap::writer w(file, {.format = format});
            w.write(specs[0]);
            const auto frame = cap::build_frame(specs[1]);
            caplen = static_cast<std::uint32_t>(frame.size());
            w.write(specs[1].time_ns, frame, caplen - 1); // says the packet was one byte shorter than captured
            w.write(specs[2]);
            w.write(specs[3].time_ns, cap::build_frame(specs[3]), 0);
        }
        fake_purchasing p(descriptor(), {{"file", file}});
        REQUIRE(p.open() == FACTORY_OK);
        REQUIRE(p.fill_to_end(10) == FACTORY_END);
        REQUIRE(p.room.materials.size() == 2);
        CHECK(p.room.materials[0].as<factory_packet>().packet_number == 1);
        CHECK(p.room.materials[1].as<factory_packet>().packet_number == 3);
        REQUIRE(p.room.rejects.size() == 2);
        CHECK(p.room.rejects[0].reason == "packet 2: damaged record: original length " + std::to_string(caplen - 1) +
                                              " is below its captured length " + std::to_string(caplen));
        CHECK(p.room.rejects[0].data.size() == caplen);
        CHECK(p.room.rejects[1].reason ==
              "packet 4: damaged record: original length 0 is below its captured length " + std::to_string(caplen));
        CHECK(p.host.logs.back().find("4 packets, 2 in flows, 0 not IP (skipped), 2 dead-lettered") !=
              std::string::npos);
    }
}

TEST_CASE("a stop in the middle keeps the packet the host could not take") {
    temp_dir dir;
    const auto packets = cap::all_packets(traffic(5));
    cap::write_packets(dir / "t.pcapng", packets, {.format = cap::file_format::pcapng});
    fake_purchasing p(descriptor(), {{"file", dir / "t.pcapng"}});
    REQUIRE(p.open() == FACTORY_OK);
    REQUIRE(p.fill(100) == FACTORY_OK);
    const std::size_t before = p.room.materials.size();
    p.room.stopping = true;
    REQUIRE(p.fill(100) == FACTORY_OK);
    CHECK(p.room.materials.size() == before);
    p.room.stopping = false;
    REQUIRE(p.fill(1) == FACTORY_OK);
    REQUIRE(p.room.materials.size() == before + 1);
    const auto last = p.room.materials[before - 1].as<factory_packet>();
    const auto next = p.room.materials[before].as<factory_packet>();
    CHECK(next.packet_number > last.packet_number);
    // No packet number is skipped among flow packets: the one refused at the stop came next.
    std::size_t expected = last.packet_number + 1;
    while (cap::facts_of(packets[expected - 1]).what != cap::verdict::flow) ++expected;
    CHECK(next.packet_number == expected);
}

TEST_CASE("settings: a file or an interface, exactly one, and bad values named") {
    fake_purchasing none(descriptor(), {});
    REQUIRE(none.open() == FACTORY_ERROR);
    CHECK(none.error.find("file=") != std::string::npos);
    temp_dir dir;
    cap::write_packets(dir / "t.pcap", {cap::packet_spec{}});
    fake_purchasing both(descriptor(), {{"file", dir / "t.pcap"}, {"interface", "lo"}});
    REQUIRE(both.open() == FACTORY_ERROR);
    CHECK(both.error.find("not both") != std::string::npos);
    fake_purchasing tiny(descriptor(), {{"interface", "lo"}, {"snaplen", "20"}});
    REQUIRE(tiny.open() == FACTORY_ERROR);
    CHECK(tiny.error.find("snaplen") != std::string::npos);
    fake_purchasing missing(descriptor(), {{"file", dir / "nope.pcap"}});
    REQUIRE(missing.open() == FACTORY_ERROR);
    CHECK(missing.error.find("nope.pcap") != std::string::npos);
}
