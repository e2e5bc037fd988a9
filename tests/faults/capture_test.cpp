// Damaged captures through factory-host (source pcap, blueprint flowmeter): the packets before the
// damage are metered, the rest of the file is dead-lettered once with the byte offset and what is
// wrong, and the run ends cleanly. A file that is no capture at all is refused at start.
#include "support/fault_files.hpp"
#include "support/host_run.hpp"

#include "capture/capture.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <string>

using namespace factory::testing;
namespace cap = factory::capture;

namespace {

// Packet i of a capture: UDP from port 1000 + i, so each packet is a flow of its own.
cap::packet_spec udp_packet(int i) {
    cap::packet_spec s;
    s.time_ns = 1'700'000'000'000'000'000 + i * 1'000'000LL;
    s.src = cap::ipv4(10, 0, 0, 1);
    s.dst = cap::ipv4(10, 0, 0, 2);
    s.protocol = cap::ip_udp;
    s.src_port = static_cast<std::uint16_t>(1000 + i);
    s.dst_port = 53;
    s.payload = 100;
    return s;
}

// Writes `n` packets; returns the size of one (classic pcap) record: 16 bytes of header and the frame.
std::uint64_t write_capture(const std::filesystem::path& file, int n, cap::file_format format) {
    cap::writer w(file.string(), {.format = format});
    for (int i = 0; i < n; ++i) w.write(udp_packet(i));
    return 16 + cap::build_frame(udp_packet(0)).size();
}

// Overwrites 4 bytes of a file, little-endian.
void poke32(const std::filesystem::path& file, std::uint64_t at, std::uint32_t v) {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(at));
    const char b[4] = {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16),
                       static_cast<char>(v >> 24)};
    f.write(b, 4);
}

host_result run_capture(const std::filesystem::path& dir, const std::string& file) {
    return run_host({"--source", "pcap:file=" + file, "--blueprint", "flowmeter", "--exporter", "jsonl:dir=out",
                     "--workshops", "2", "--clock", "material", "--dead-letter", "dl"},
                    {.cwd = dir});
}

// A run over a capture damaged after its first `good` packets: they are assembled and shipped, and
// the damaged rest is one record, dead-lettered by the source. Returns that dead letter's reason.
std::string check_damaged_after(const host_result& r, const std::filesystem::path& dir, int good) {
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.summary.at("balanced") == true);
    CHECK(r.summary.at("purchased") == good + 1);
    CHECK(r.summary.at("assembled") == good);
    CHECK(r.summary.at("dead_lettered").at("reasons").at("rejected_by_source") == 1);
    CHECK(r.summary.at("shipped") == good);
    auto dead = dead_letters(dir / "dl", "purchasing");
    REQUIRE(dead.size() == 1);
    return dead[0].at("reason");
}

} // namespace

TEST_CASE("a capture cut inside its last record: the packets before it count, the rest is dead-lettered", "[faults]") {
    auto dir = fresh_dir("cutpcap");
    const std::uint64_t record = write_capture(dir / "in.pcap", 10, cap::file_format::pcap_us);
    const std::uint64_t full = 24 + 10 * record;
    REQUIRE(std::filesystem::file_size(dir / "in.pcap") == full);
    cap::truncate_to((dir / "in.pcap").string(), full - 10);

    auto r = run_capture(dir, "in.pcap");
    INFO(r.err);
    const std::string reason = check_damaged_after(r, dir, 9);
    CHECK(read_jsonl(dir / "out" / "flows_ipv4.jsonl").size() == 9);
    const std::uint64_t at = 24 + 9 * record;
    CHECK(reason == "byte " + std::to_string(at) + ": the file ends inside a record (" + std::to_string(record - 10) +
                        " of its " + std::to_string(record) + " bytes are there); it was probably cut while being written");
    CHECK(r.err.find("is damaged at byte " + std::to_string(at)) != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a corrupt record length in a capture: what came before counts, the rest is dead-lettered", "[faults]") {
    auto dir = fresh_dir("corruptpcap");
    const auto format = GENERATE(cap::file_format::pcap_us, cap::file_format::pcapng);
    const bool ng = format == cap::file_format::pcapng;
    INFO((ng ? "pcapng" : "pcap"));
    write_capture(dir / "in.cap", 6, format);
    const std::uint64_t frame = cap::build_frame(udp_packet(0)).size();
    // Damage the 4th packet's record. pcap: its captured length (bytes 8-11 of its header) far above
    // any snaplen. pcapng: its block total length (bytes 4-7) not a multiple of 4. pcapng blocks:
    // section header 28 bytes, interface 32, then 32 + padded frame per packet.
    const std::uint64_t ng_block = 32 + ((frame + 3) & ~std::uint64_t{3});
    const std::uint64_t at = ng ? 28 + 32 + 3 * ng_block : 24 + 3 * (16 + frame);
    if (ng) poke32(dir / "in.cap", at + 4, 0x1001);
    else poke32(dir / "in.cap", at + 8, 0x7fffffff);

    auto r = run_capture(dir, "in.cap");
    INFO(r.err);
    const std::string reason = check_damaged_after(r, dir, 3);
    CHECK(reason.rfind("byte " + std::to_string(at) + ": ", 0) == 0);
    CHECK(reason.find("the rest of the file (" + std::to_string(std::filesystem::file_size(dir / "in.cap") - at) +
                      " bytes) cannot be read") != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a file that is no capture is refused at start, saying what it starts with", "[faults]") {
    auto dir = fresh_dir("notpcap");
    write_file(dir / "notes.txt", "hello, this is text\n");
    auto r = run_capture(dir, "notes.txt");
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("source pcap: 'notes.txt' is not a pcap or pcapng file (it starts with 68 65 6c 6c); "
                     "convert it with editcap or tcpdump -w") != std::string::npos);
    CHECK(r.summary.is_null());
    CHECK_FALSE(std::filesystem::exists(dir / "dl"));
    std::filesystem::remove_all(dir);
}
