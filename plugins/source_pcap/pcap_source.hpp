// The pcap source: packets from a capture file (classic pcap or pcapng, mapped and walked record
// by record, or read from stdin with file=-) or from a live interface (libpcap), one material per
// packet: a factory_packet (FACTORY_FORMAT_PACKET, <factory/formats.h>) keyed by its flow (see
// flow_key.hpp), its event time the packet's timestamp (a timestamp of exactly 0 is sent as 1 ns,
// since 0 means "now" to the host).
//
// What happens to each packet (packet numbers count every record of the capture from 1):
//   - decodes to a flow (packet_decoder.hpp): a material. IPv4 and IPv6 fragments after the first
//     are flow packets with ports 0 and 0;
//   - not IP (ARP, LLDP, ...): skipped and counted (non_ip=skip, the default), or dead-lettered
//     (non_ip=reject) as "packet N: not IP: EtherType 0x0806";
//   - truncated, malformed, or on an interface of an unsupported link type: dead-lettered with its
//     captured bytes as "packet N: truncated: ..." / "packet N: malformed: ...";
//   - a damaged file (corrupt record header or block, or cut inside a record): the rest of the file
//     is dead-lettered as one record (its first 4096 bytes kept) with the byte offset and what is
//     wrong, a warning is logged, and the input ends there: what came before counts.
// At the end of a file the source logs one line with its counts (packets, flow packets, skipped,
// dead-lettered, late: packets with a time before an earlier packet's).
//
// Live capture (interface=NAME): packets as they arrive; the kernel's drop count is logged at the
// end. A file is read as fast as the host takes its materials; run the host with --clock material
// so that timeouts follow packet time.
#pragma once

#include "capture_file.hpp"
#include "flow_key.hpp"
#include "live_capture.hpp"

#include <factory/source.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace factory::pcap {

class pcap_source : public factory::source {
public:
    static constexpr factory::info info{"pcap", "1.0.0",
                                        "packets from a pcap / pcapng file or a live interface, keyed by flow"};
    static constexpr const char* notes =
        "One material per packet (FACTORY_FORMAT_PACKET), keyed by its flow (key=5tuple|biflow).\n"
        "From a file, packet times are event time: the run uses the material clock unless --clock wall.\n"
        "Non-IP packets are skipped and counted (non_ip=skip); truncated or malformed ones are\n"
        "dead-lettered with their packet number; a damaged file ends the input there, with a warning.\n"
        "Checkpoints: resumable from a capture file (record offset); not from stdin or a live capture.";
    static inline const factory::setting settings[] = {
        {"file", FACTORY_SETTING_PATH_IN, "",
         "capture file to read, classic pcap or pcapng; -: stdin (packet times are event time: the run "
         "uses the material clock unless --clock wall)",
         nullptr, FACTORY_SETTING_EVENT_TIME},
        {"interface", FACTORY_SETTING_STRING, "",
         "network interface to capture on instead of a file (needs root or CAP_NET_RAW)"},
        {"key", FACTORY_SETTING_ENUM, "5tuple",
         "flow key the pid hashes: 5tuple (one way, as pmacct and IPFIX) or biflow (both directions "
         "together, as softflowd; as there, equal addresses keep the two directions apart)",
         "5tuple|biflow"},
        {"non_ip", FACTORY_SETTING_ENUM, "skip",
         "packets that carry no IP (ARP, LLDP, ...): skip (counted in the closing log line) or reject "
         "(dead-lettered)",
         "skip|reject"},
        {"snaplen", FACTORY_SETTING_UINT, "256", "live capture: bytes captured per packet (headers need ~150)"},
        {"promiscuous", FACTORY_SETTING_BOOL, "true", "live capture: put the interface in promiscuous mode"},
        {"buffer", FACTORY_SETTING_SIZE, "32MiB", "live capture: the kernel's capture buffer"},
    };

    pcap_source(const factory::settings& s, factory::host h);

    factory::fill_result on_fill(factory::filler& f);

    // Checkpoints: from a capture file, the position is the next record's offset with the format's
    // state (byte order, pcapng interfaces) and the counts (so packet numbers go on); stdin, a
    // pipe or a live capture cannot be read again and refuse.
    std::size_t on_position(std::span<std::byte> out);
    void on_seek(std::span<const std::byte> position);

    // Counts so far.
    struct counts {
        std::uint64_t packets = 0;      // records read
        std::uint64_t flow_packets = 0; // materials added
        std::uint64_t not_ip = 0;       // skipped or rejected as not IP
        std::uint64_t rejected = 0;     // dead-lettered (not_ip with non_ip=reject included)
        std::uint64_t late = 0;         // time before an earlier packet's
    };
    const counts& totals() const noexcept { return n_; }

private:
    // Decodes one record and adds it (or rejects it). False: the host refused it (stopping).
    bool take(factory::filler& f, const raw_record& r);
    factory::fill_result fill_file(factory::filler& f);
    factory::fill_result fill_live(factory::filler& f);
    void log_totals(const char* what);

    std::unique_ptr<capture_file> file_;
    std::unique_ptr<live_capture> live_;
    key_mode key_;
    bool reject_non_ip_;
    counts n_;
    std::int64_t latest_ns_ = 0;
    std::uint64_t lost_at_stop_ = 0; // live packets that arrived while the run was stopping
    bool logged_ = false;
};

} // namespace factory::pcap
