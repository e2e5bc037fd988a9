// Checkpoints of the pcap source: a new instance that seeks to a position reads, material for
// material (pid, time, payload with its packet number), what an uninterrupted read reads from there
// on, in classic pcap of both byte orders and units and in pcapng with several interfaces of
// different timestamp units, simple packets, other blocks and a second section; another file and
// stdin are refused with what to do.
#include "source_pcap/pcap_source.hpp"

#include "capture/capture.hpp"
#include "support/fake_purchasing.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <string>
#include <tuple>
#include <vector>

namespace cap = factory::capture;
using factory::testing::fake_purchasing;
using factory::testing::materials_seen;
using factory::testing::temp_dir;

namespace {

const factory_descriptor* descriptor() {
    return factory::detail::source_descriptor<factory::pcap::pcap_source>();
}

std::vector<cap::packet_spec> sample(std::uint64_t seed) {
    cap::traffic_options o;
    o.seed = seed;
    o.sessions = 120;
    o.arp = o.truncated = o.malformed = 20;
    return cap::all_packets(o);
}

// A pcapng file that needs the state a position keeps: interfaces with units 10^-6 and 10^-9,
// simple packets (which take the time before them), a block to skip, a new section halfway.
void write_rich_pcapng(const std::string& path, const std::vector<cap::packet_spec>& packets, bool big_endian) {
    cap::writer w(path, {.format = cap::file_format::pcapng, .big_endian = big_endian});
    w.add_interface(cap::link_type::ethernet, 6);
    w.add_interface(cap::link_type::ethernet, 9);
    for (std::size_t i = 0; i < packets.size(); ++i) {
        if (i == packets.size() / 2) {
            w.new_section();
            w.add_interface(cap::link_type::ethernet, 9);
            w.add_interface(cap::link_type::ethernet, 3);
        }
        cap::packet_spec p = packets[i];
        p.if_index = static_cast<std::uint32_t>(i % 2);
        if (i % 17 == 3) {
            w.write_simple(cap::build_frame(p), cap::facts_of(p).wire_length);
            continue;
        }
        if (i % 23 == 4) w.write_unknown_block(0x0bad, 10);
        w.write(p);
    }
    w.close();
}


void check_resume(const std::string& file) {
    const factory::testing::fake_settings::overrides s = {{"file", file}, {"non_ip", "reject"}};
    fake_purchasing whole(descriptor(), s);
    REQUIRE(whole.open() == FACTORY_OK);
    REQUIRE(whole.fill_to_end(64) == FACTORY_END);
    REQUIRE(whole.room.materials.size() > 100);
    for (std::uint32_t taken : {1u, 37u, static_cast<std::uint32_t>(whole.room.materials.size() - 3)}) {
        INFO(file << ": materials before the position: " << taken);
        fake_purchasing first(descriptor(), s);
        REQUIRE(first.open() == FACTORY_OK);
        while (first.room.materials.size() < taken) {
            const auto left = static_cast<std::uint32_t>(taken - first.room.materials.size());
            REQUIRE(first.fill(left < 10 ? left : 10) == FACTORY_OK);
        }
        std::string pos;
        REQUIRE(first.position(pos) == FACTORY_OK);

        fake_purchasing second(descriptor(), s);
        REQUIRE(second.open() == FACTORY_OK);
        REQUIRE(second.seek(pos) == FACTORY_OK);
        REQUIRE(second.fill_to_end(64) == FACTORY_END);
        CHECK(materials_seen(second) == materials_seen(whole, taken));
        // Dead letters after the position are the uninterrupted read's last ones, packet numbers and
        // all, and the closing counts agree.
        const auto& late = second.room.rejects;
        const auto& all = whole.room.rejects;
        REQUIRE(late.size() <= all.size());
        if (taken < 100) CHECK_FALSE(late.empty());
        for (std::size_t i = 0; i < late.size(); ++i)
            CHECK(late[i].reason == all[all.size() - late.size() + i].reason);
        CHECK(second.host.logs.back() == whole.host.logs.back());
    }
}

} // namespace

TEST_CASE("pcap: after a seek, the rest equals the rest of an uninterrupted read") {
    temp_dir d;
    const auto packets = sample(3);
    cap::write_packets(d / "us.pcap", packets);
    check_resume(d / "us.pcap");
    cap::write_packets(d / "ns_be.pcap", packets, {.format = cap::file_format::pcap_ns, .big_endian = true});
    check_resume(d / "ns_be.pcap");
}

TEST_CASE("pcapng: after a seek, the rest equals the rest of an uninterrupted read") {
    temp_dir d;
    const auto packets = sample(4);
    write_rich_pcapng(d / "rich.pcapng", packets, false);
    check_resume(d / "rich.pcapng");
    write_rich_pcapng(d / "rich_be.pcapng", packets, true);
    check_resume(d / "rich_be.pcapng");
}

TEST_CASE("pcap: a position is refused for another file or another format") {
    temp_dir d;
    cap::write_packets(d / "a.pcap", sample(5));
    fake_purchasing first(descriptor(), {{"file", d / "a.pcap"}});
    REQUIRE(first.open() == FACTORY_OK);
    REQUIRE(first.fill(20) == FACTORY_OK);
    std::string pos;
    REQUIRE(first.position(pos) == FACTORY_OK);

    cap::write_packets(d / "b.pcap", sample(6));
    fake_purchasing other(descriptor(), {{"file", d / "b.pcap"}});
    REQUIRE(other.open() == FACTORY_OK);
    CHECK(other.seek(pos) == FACTORY_ERROR);
    CHECK_THAT(other.error, Catch::StartsWith("source pcap: '" + (d / "b.pcap") + "' differs from the file the "
                                              "checkpoint read"));
    write_rich_pcapng(d / "c.pcapng", sample(5), false);
    fake_purchasing format(descriptor(), {{"file", d / "c.pcapng"}});
    REQUIRE(format.open() == FACTORY_OK);
    CHECK(format.seek(pos) == FACTORY_ERROR);
    CHECK(format.error == "source pcap: '" + (d / "c.pcapng") + "' is a pcapng file, but the checkpoint read a "
                          "classic pcap one; give the file the checkpoint read, or start the job afresh");
}

TEST_CASE("pcap: stdin has no position") {
    temp_dir d;
    cap::write_packets(d / "a.pcap", sample(7));
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const int saved = ::dup(STDIN_FILENO);
    REQUIRE(::dup2(fds[0], STDIN_FILENO) == STDIN_FILENO);
    ::close(fds[0]);
    const std::string header = factory::testing::read_file(d / "a.pcap").substr(0, 24);
    REQUIRE(::write(fds[1], header.data(), header.size()) == 24);
    {
        fake_purchasing p(descriptor(), {{"file", "-"}});
        REQUIRE(p.open() == FACTORY_OK);
        std::string pos;
        CHECK(p.position(pos) == FACTORY_ERROR);
        CHECK(p.error == "pcap reads '-' as a stream (stdin or a pipe), which cannot be read again after a crash; "
                         "give a capture file (file=) to use --checkpoint");
    }
    ::close(fds[1]);
    ::dup2(saved, STDIN_FILENO);
    ::close(saved);
}
