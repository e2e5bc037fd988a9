// The UDP socket to an IPFIX collector: "host:port", "[ipv6]:port" or "host" (port 4739, the
// IANA IPFIX port), resolved once at open; the socket is connected, so that the kernel reports a
// collector that is not listening (ICMP port unreachable) as ECONNREFUSED on a later send.
//
// Errors: the constructor throws factory::error naming the collector (bad form, unknown host, no
// socket). send() answers ok, retry (temporary: refused, no buffer space, unreachable network;
// `why` says which and what to check) or error (the datagram can never go: too large for the
// path). Use from one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace factory::ipfix {

inline constexpr const char* default_ipfix_port = "4739";

struct collector_address {
    std::string host; // without brackets
    std::string port;
};

// Splits "host:port" / "[v6]:port" / "host"; throws factory::error for a malformed one.
collector_address parse_collector(std::string_view text);

enum class send_status { ok, retry, error };

class collector_socket {
public:
    explicit collector_socket(std::string_view collector);
    ~collector_socket();
    collector_socket(const collector_socket&) = delete;
    collector_socket& operator=(const collector_socket&) = delete;

    // Sends one datagram; on failure `why` says what happened.
    send_status send(std::span<const unsigned char> datagram, std::string& why) noexcept;

    // Takes an error the kernel holds for an earlier datagram (SO_ERROR), e.g. a refusal that
    // arrived after the send returned. True with `why` when there was one.
    bool take_pending_error(std::string& why) noexcept;

    // Bytes of IP and UDP header in front of each datagram (28 for IPv4, 48 for IPv6).
    std::size_t header_overhead() const noexcept { return ipv6_ ? 48 : 28; }
    // "host:port" as resolved, e.g. "127.0.0.1:4739" or "[::1]:4739".
    const std::string& name() const noexcept { return name_; }

private:
    std::string explain(int err) const;

    int fd_ = -1;
    bool ipv6_ = false;
    std::string name_;
};

} // namespace factory::ipfix
