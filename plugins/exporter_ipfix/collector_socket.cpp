#include "collector_socket.hpp"

#include <factory/settings.hpp>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace factory::ipfix {

collector_address parse_collector(std::string_view text) {
    auto bad = [&](const char* why) {
        return factory::error("setting 'collector': '" + std::string(text) + "' " + why +
                              "; write host:port, [ipv6]:port or host (port 4739)");
    };
    if (text.empty()) throw bad("is empty");
    collector_address a;
    if (text.front() == '[') {
        std::size_t close = text.find(']');
        if (close == std::string_view::npos || close == 1) throw bad("has no closing ']'");
        a.host = std::string(text.substr(1, close - 1));
        std::string_view rest = text.substr(close + 1);
        if (rest.empty()) a.port = default_ipfix_port;
        else if (rest.front() == ':' && rest.size() > 1) a.port = std::string(rest.substr(1));
        else throw bad("has text after ']' that is not :port");
    } else {
        std::size_t colon = text.rfind(':');
        if (colon != std::string_view::npos && text.find(':') != colon)
            throw bad("looks like an IPv6 address without brackets");
        a.host = std::string(text.substr(0, colon));
        a.port = colon == std::string_view::npos ? default_ipfix_port : std::string(text.substr(colon + 1));
        if (a.host.empty()) throw bad("has no host");
    }
    if (a.port.empty() || a.port.size() > 5 || a.port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(a.port) == 0 || std::stoul(a.port) > 65535)
        throw bad("has no port number 1..65535");
    return a;
}

collector_socket::collector_socket(std::string_view collector) {
    collector_address a = parse_collector(collector);
    addrinfo hints{};
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_protocol = IPPROTO_UDP;
    hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
    addrinfo* found = nullptr;
    int rc = getaddrinfo(a.host.c_str(), a.port.c_str(), &hints, &found);
    if (rc == EAI_NONAME || rc == EAI_ADDRFAMILY) {
        // AI_ADDRCONFIG hides loopback-only families on a host without other addresses.
        hints.ai_flags = AI_NUMERICSERV;
        rc = getaddrinfo(a.host.c_str(), a.port.c_str(), &hints, &found);
    }
    if (rc != 0 || found == nullptr)
        throw factory::error("setting 'collector': cannot resolve '" + a.host + "': " + gai_strerror(rc));
    std::string last_error;
    for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
        int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            last_error = std::strerror(errno);
            continue;
        }
        if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            last_error = std::strerror(errno);
            ::close(fd);
            continue;
        }
        // A full send buffer makes send() wait at most this long, then the batch is retried.
        timeval limit{1, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
        fd_ = fd;
        ipv6_ = ai->ai_family == AF_INET6;
        char host[INET6_ADDRSTRLEN] = "?";
        const void* addr = ipv6_ ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr)
                                 : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr);
        inet_ntop(ai->ai_family, addr, host, sizeof host);
        name_ = ipv6_ ? "[" + std::string(host) + "]:" + a.port : std::string(host) + ":" + a.port;
        break;
    }
    freeaddrinfo(found);
    if (fd_ < 0)
        throw factory::error("setting 'collector': no UDP socket to '" + std::string(collector) + "': " + last_error);
}

collector_socket::~collector_socket() {
    if (fd_ >= 0) ::close(fd_);
}

std::string collector_socket::explain(int err) const {
    std::string what = "sending to collector " + name_ + " failed: " + std::strerror(err);
    switch (err) {
    case ECONNREFUSED: return what + " (is the collector listening on that port?)";
    case ENOBUFS: case EAGAIN: return what + " (the send buffer is full: lower the rate setting?)";
    case ENETUNREACH: case EHOSTUNREACH: case ENETDOWN: case EHOSTDOWN:
        return what + " (check the route to the collector)";
    case EMSGSIZE: return what + " (the message is larger than the path allows: lower the mtu setting)";
    default: return what;
    }
}

send_status collector_socket::send(std::span<const unsigned char> datagram, std::string& why) noexcept {
    for (;;) {
        ssize_t n = ::send(fd_, datagram.data(), datagram.size(), MSG_NOSIGNAL);
        if (n == static_cast<ssize_t>(datagram.size())) return send_status::ok;
        int err = n < 0 ? errno : EMSGSIZE;
        if (err == EINTR) continue;
        try {
            why = explain(err);
        } catch (...) {
            why.clear();
        }
        return err == EMSGSIZE ? send_status::error : send_status::retry;
    }
}

bool collector_socket::take_pending_error(std::string& why) noexcept {
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err == 0) return false;
    try {
        why = explain(err);
    } catch (...) {
        why.clear();
    }
    return true;
}

} // namespace factory::ipfix
