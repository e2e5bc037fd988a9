// nfdump's collector and reader, driven from a test: an nfcapd listening on a free loopback port
// and writing to a folder of its own, stopped (SIGTERM: it flushes and closes its file) by the
// test or by the destructor; and `nfdump -R <folder> -o json` read back as flow records.
#pragma once

#include "support/child_process.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

namespace factory::testing {

// One flow record as nfdump prints it.
struct nf_record {
    std::string src, dst;          // as nfdump writes them: "10.0.0.1", "2001:db8::1"
    std::uint16_t src_port = 0, dst_port = 0; // ICMP: 0 and type * 256 + code
    std::uint8_t protocol = 0;
    std::uint64_t packets = 0, bytes = 0;
    std::int64_t first_ms = 0, last_ms = 0; // Unix milliseconds
    std::string tcp_flags;         // nfdump's "...A..SF"

    auto tie() const { return std::tie(src, dst, protocol, src_port, dst_port, first_ms, packets, bytes, last_ms); }
    bool operator<(const nf_record& o) const { return tie() < o.tie(); }
    bool operator==(const nf_record& o) const { return tie() == o.tie(); }
};

std::string to_string(const nf_record& r);

class nfcapd {
public:
    // Starts nfcapd on 127.0.0.1 (or ::1 when `ipv6`) on a free port, writing under `dir`/flows,
    // with its default socket buffer or (`socket_buffer` > 0) nfcapd -B; returns once it listens.
    // Throws std::runtime_error (with its log) when it does not start.
    explicit nfcapd(const std::filesystem::path& dir, bool ipv6 = false, std::size_t socket_buffer = 0);
    // Kills it if it still runs.
    ~nfcapd() = default;

    std::uint16_t port() const noexcept { return port_; }
    // The ipfix exporter's collector setting / softflowd's -n argument for this nfcapd.
    std::string address() const;
    // Waits (at most `limit`) until nfcapd has read every datagram waiting in its socket: the
    // kernel's receive queue for its port stays empty for 50 ms. nfcapd drops what is still
    // queued when it is stopped, so call this before stop() once the sender is done.
    void wait_drained(std::chrono::milliseconds limit = std::chrono::seconds(30));
    // Datagrams the kernel dropped at nfcapd's socket because its buffer was full (the "drops"
    // column of /proc/net/udp); loss a sender must avoid by pacing.
    std::uint64_t socket_drops() const;
    // SIGTERM, then waits (at most 10 s) for it to write its file and exit. Returns its log.
    std::string stop();
    // The flows it stored (call after stop()).
    std::vector<nf_record> flows() const;
    const std::filesystem::path& flow_dir() const noexcept { return flows_; }

private:
    std::filesystem::path dir_, flows_, log_;
    std::uint16_t port_ = 0;
    bool ipv6_ = false;
    std::unique_ptr<child_process> proc_;
};

// Parses `nfdump -o json` output.
std::vector<nf_record> parse_nfdump_json(const std::string& text);

// "2023-11-14T22:13:20.001" (UTC) -> Unix milliseconds.
std::int64_t parse_utc_ms(const std::string& text);

} // namespace factory::testing
