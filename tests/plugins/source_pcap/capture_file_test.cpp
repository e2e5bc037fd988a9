// Reading capture files record by record: classic pcap in both resolutions and byte orders,
// pcapng with several interfaces, resolutions, sections and block types, streams, and damaged
// files.
#include "source_pcap/capture_file.hpp"

#include "capture/capture.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <factory/settings.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <thread>
#include <vector>

namespace cap = factory::capture;
using factory::pcap::capture_file;
using factory::pcap::raw_record;
using factory::testing::temp_dir;

namespace {

struct seen {
    std::int64_t time_ns;
    std::uint32_t caplen, wire, link, if_index;
    std::vector<std::uint8_t> bytes;
};

// Every record of the file; `damage` receives the problem, if any.
std::vector<seen> read_all(capture_file& f, std::string* damage = nullptr) {
    std::vector<seen> out;
    raw_record r;
    for (int guard = 0; guard < 1'000'000; ++guard) {
        const capture_file::result res = f.next(r);
        if (res == capture_file::result::end) return out;
        if (res == capture_file::result::wait) continue;
        if (res == capture_file::result::damaged) {
            if (damage != nullptr) *damage = f.problem();
            continue;
        }
        out.push_back({r.time_ns, r.caplen, r.wire_length, r.link, r.if_index, {r.frame, r.frame + r.caplen}});
    }
    FAIL("the reader never ended");
    return out;
}

std::vector<cap::packet_spec> sample(std::size_t sessions = 30) {
    cap::traffic_options o;
    o.seed = 5;
    o.sessions = sessions;
    return cap::all_packets(o);
}

void require_same(const std::vector<seen>& got, const std::vector<cap::packet_spec>& want, std::int64_t unit_ns) {
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
        INFO("record " << i + 1);
        CHECK(got[i].time_ns == want[i].time_ns / unit_ns * unit_ns);
        CHECK(got[i].bytes == cap::build_frame(want[i]));
        CHECK(got[i].wire == cap::facts_of(want[i]).wire_length);
        CHECK(got[i].link == static_cast<std::uint32_t>(want[i].link));
    }
}

} // namespace

TEST_CASE("classic pcap in microseconds and nanoseconds, either byte order") {
    temp_dir dir;
    auto packets = sample();
    for (auto& p : packets) p.time_ns += 789; // below a microsecond: kept only in nanosecond files
    for (auto fmt : {cap::file_format::pcap_us, cap::file_format::pcap_ns}) {
        for (bool be : {false, true}) {
            INFO("ns " << (fmt == cap::file_format::pcap_ns) << " big-endian " << be);
            cap::write_packets(dir / "x.pcap", packets, {.format = fmt, .big_endian = be});
            capture_file f(dir / "x.pcap");
            CHECK(f.format() == capture_file::kind::pcap);
            require_same(read_all(f), packets, fmt == cap::file_format::pcap_ns ? 1 : 1000);
        }
    }
}

TEST_CASE("pcapng: either byte order, and the records match what was written") {
    temp_dir dir;
    const auto packets = sample();
    for (bool be : {false, true}) {
        for (std::uint8_t res : {6, 9}) {
            cap::write_packets(dir / "x.pcapng", packets,
                               {.format = cap::file_format::pcapng, .big_endian = be, .tsresol_exp = res});
            capture_file f(dir / "x.pcapng");
            CHECK(f.format() == capture_file::kind::pcapng);
            require_same(read_all(f), packets, res == 6 ? 1000 : 1);
        }
    }
}

TEST_CASE("pcapng: interfaces with their own link type and resolution, unknown blocks, new sections") {
    temp_dir dir;
    cap::packet_spec eth;
    eth.src = cap::ipv4(10, 0, 0, 1);
    eth.dst = cap::ipv4(10, 0, 0, 2);
    eth.time_ns = 1'700'000'000'123'456'789;
    cap::packet_spec raw = eth;
    raw.link = cap::link_type::raw;
    raw.if_index = 1;
    {
        cap::writer w(dir / "m.pcapng", {.format = cap::file_format::pcapng});
        w.add_interface(cap::link_type::ethernet, 9);
        w.add_interface(cap::link_type::raw, 3); // milliseconds
        w.write_unknown_block(0x0bad, 13);
        w.write(eth);
        w.write(raw);
        w.write_simple(cap::build_frame(eth), 60); // interface 0, the time before it
        w.new_section();
        w.add_interface(cap::link_type::raw, 6);
        cap::packet_spec again = raw;
        again.if_index = 0;
        w.write(again);
        w.close();
    }
    capture_file f(dir / "m.pcapng");
    const auto got = read_all(f);
    REQUIRE(got.size() == 4);
    CHECK(got[0].time_ns == eth.time_ns);
    CHECK(got[0].link == 1);
    CHECK(got[1].time_ns == 1'700'000'000'123'000'000);
    CHECK(got[1].link == 101);
    CHECK(got[1].if_index == 1);
    CHECK(got[2].time_ns == got[1].time_ns);
    CHECK(got[2].link == 1);
    CHECK(got[2].wire == 60);
    CHECK(got[3].link == 101);
    CHECK(got[3].if_index == 0);
    CHECK(got[3].time_ns == 1'700'000'000'123'456'000);
}

TEST_CASE("pcapng: binary timestamp resolution and a time offset") {
    temp_dir dir;
    {
        cap::writer w(dir / "b.pcapng", {.format = cap::file_format::pcapng});
        // IDB by hand: if_tsresol 0x94 (2^-20 s) and if_tsoffset 1000 s.
        w.u32(1);
        w.u32(44);
        w.u16(1);
        w.u16(0);
        w.u32(65535);
        w.u16(9);
        w.u16(1);
        w.write_bytes({0x94, 0, 0, 0});
        w.u16(14);
        w.u16(8);
        w.u32(1000); // little-endian 64-bit 1000
        w.u32(0);
        w.u32(0);
        w.u32(44);
        const std::uint64_t units = (std::uint64_t{3} << 20) + (1u << 19); // 3.5 s
        const auto frame = cap::build_frame(cap::packet_spec{});
        w.u32(6);
        w.u32(32 + 60);
        w.u32(0);
        w.u32(static_cast<std::uint32_t>(units >> 32));
        w.u32(static_cast<std::uint32_t>(units));
        w.u32(60);
        w.u32(60);
        w.write_bytes(frame);
        w.u32(32 + 60);
        w.close();
    }
    capture_file f(dir / "b.pcapng");
    const auto got = read_all(f);
    REQUIRE(got.size() == 1);
    CHECK(got[0].time_ns == 1'003'500'000'000);
}

TEST_CASE("a file cut inside its last record: every whole record, then the damage once") {
    temp_dir dir;
    const auto packets = sample(10);
    for (auto fmt : {cap::file_format::pcap_us, cap::file_format::pcapng}) {
        cap::write_packets(dir / "cut", packets, {.format = fmt});
        const auto size = std::filesystem::file_size(dir / "cut");
        cap::truncate_to(dir / "cut", size - 7);
        capture_file f(dir / "cut");
        std::string damage;
        const auto got = read_all(f, &damage);
        CHECK(got.size() == packets.size() - 1);
        CHECK(damage.find("ends inside a record") != std::string::npos);
        CHECK(f.damaged_size() > 0);
    }
}

TEST_CASE("a corrupt record header: the records before it, then the damage with its byte offset") {
    temp_dir dir;
    const auto packets = sample(10);
    {
        cap::writer w(dir / "bad.pcap");
        for (std::size_t i = 0; i < 5; ++i) w.write(packets[i]);
        w.u32(0);
        w.u32(0);
        w.u32(0x7fffffff); // captured length: impossible
        w.u32(60);
        w.write_bytes(std::vector<std::uint8_t>(200, 0xab));
        w.close();
    }
    capture_file f(dir / "bad.pcap");
    std::string damage;
    const auto got = read_all(f, &damage);
    CHECK(got.size() == 5);
    CHECK(damage.find("captured length 2147483647") != std::string::npos);
    CHECK(damage.find("byte ") == 0);
    CHECK(f.damaged_size() == 216);
}

TEST_CASE("pcapng with a bad block length or an undeclared interface is damaged there") {
    temp_dir dir;
    const auto packets = sample(5);
    {
        cap::writer w(dir / "bad.pcapng", {.format = cap::file_format::pcapng});
        w.write(packets[0]);
        w.write(packets[1]);
        w.u32(6);
        w.u32(30); // not a multiple of 4
        w.write_bytes(std::vector<std::uint8_t>(22, 0));
        w.close();
    }
    capture_file f(dir / "bad.pcapng");
    std::string damage;
    CHECK(read_all(f, &damage).size() == 2);
    CHECK(damage.find("length 30") != std::string::npos);

    cap::packet_spec stranger = packets[0];
    stranger.if_index = 3;
    {
        cap::writer w(dir / "iface.pcapng", {.format = cap::file_format::pcapng});
        w.add_interface(cap::link_type::ethernet);
        w.write(packets[0]);
        REQUIRE_THROWS(w.write(stranger)); // the writer refuses it too; write the block by hand
        const auto frame = cap::build_frame(packets[0]);
        const auto padded = static_cast<std::uint32_t>((frame.size() + 3) & ~std::size_t{3});
        w.u32(6);
        w.u32(32 + padded);
        w.u32(3);
        w.u32(0);
        w.u32(0);
        w.u32(static_cast<std::uint32_t>(frame.size()));
        w.u32(static_cast<std::uint32_t>(frame.size()));
        w.write_bytes(frame);
        w.write_bytes(std::vector<std::uint8_t>(padded - frame.size(), 0));
        w.u32(32 + padded);
        w.close();
    }
    capture_file g(dir / "iface.pcapng");
    CHECK(read_all(g, &damage).size() == 1);
    CHECK(damage.find("interface 3") != std::string::npos);
}

TEST_CASE("not a capture, an empty file, a folder: refused at open with the file's name") {
    temp_dir dir;
    factory::testing::write_file(dir / "text.pcap", "hello, this is not a capture\n");
    factory::testing::write_file(dir / "empty.pcap", "");
    REQUIRE_THROWS_WITH(capture_file(dir / "text.pcap"),
                        Catch::Contains("text.pcap") && Catch::Contains("not a pcap or pcapng"));
    REQUIRE_THROWS_WITH(capture_file(dir / "empty.pcap"), Catch::Contains("empty"));
    REQUIRE_THROWS_WITH(capture_file(dir.path().string()), Catch::Contains("folder"));
    REQUIRE_THROWS_WITH(capture_file(dir / "missing.pcap"), Catch::Contains("cannot open"));
    cap::writer w(dir / "wifi.pcap", {.link = static_cast<cap::link_type>(105)});
    w.close();
    REQUIRE_THROWS_WITH(capture_file(dir / "wifi.pcap"), Catch::Contains("link type 105"));
}

TEST_CASE("a stream (a pipe) is read in blocks, records split across reads") {
    temp_dir dir;
    const auto packets = sample(40);
    cap::write_packets(dir / "s.pcapng", packets, {.format = cap::file_format::pcapng});
    const std::string bytes = factory::testing::read_file(dir / "s.pcapng");
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    // Trickle the file in small pieces, so that records straddle reads.
    std::thread feeder([&] {
        for (std::size_t at = 0; at < bytes.size(); at += 777) {
            const std::size_t n = std::min<std::size_t>(777, bytes.size() - at);
            if (::write(fds[1], bytes.data() + at, n) != static_cast<ssize_t>(n)) break;
        }
        ::close(fds[1]);
    });
    std::vector<seen> got;
    {
        capture_file f("/dev/fd/" + std::to_string(fds[0]));
        got = read_all(f);
    }
    feeder.join();
    ::close(fds[0]);
    require_same(got, packets, 1000);
}
