// A UDP socket on a loopback port for the tests to play collector: datagrams are read with a
// timeout (poll), so a missing datagram fails a test instead of hanging it.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace factory::testing {

class udp_receiver {
public:
    // Binds the loopback address of `family` (AF_INET or AF_INET6) on `port` (0: any free one).
    explicit udp_receiver(int family = AF_INET, std::uint16_t port = 0) : family_(family) {
        fd_ = ::socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
        int big = 8 << 20;
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
        sockaddr_storage ss{};
        socklen_t len = 0;
        if (family == AF_INET6) {
            auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
            a->sin6_family = AF_INET6;
            a->sin6_addr = in6addr_loopback;
            a->sin6_port = htons(port);
            len = sizeof *a;
        } else {
            auto* a = reinterpret_cast<sockaddr_in*>(&ss);
            a->sin_family = AF_INET;
            a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            a->sin_port = htons(port);
            len = sizeof *a;
        }
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
            int e = errno;
            ::close(fd_);
            throw std::runtime_error(std::string("bind: ") + std::strerror(e));
        }
        len = sizeof ss;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len);
        port_ = ntohs(family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                         : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
    }
    ~udp_receiver() {
        if (fd_ >= 0) ::close(fd_);
    }
    udp_receiver(const udp_receiver&) = delete;
    udp_receiver& operator=(const udp_receiver&) = delete;

    std::uint16_t port() const noexcept { return port_; }
    // The collector setting that reaches this socket.
    std::string collector() const {
        return (family_ == AF_INET6 ? "[::1]:" : "127.0.0.1:") + std::to_string(port_);
    }

    // The next datagram, or an empty vector when none comes within `timeout_ms`.
    std::vector<unsigned char> receive(int timeout_ms = 2000) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, timeout_ms) != 1) return {};
        std::vector<unsigned char> buf(65536);
        ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
        if (n < 0) return {};
        buf.resize(static_cast<std::size_t>(n));
        return buf;
    }

    // Every datagram that arrives until none has come for `quiet_ms`.
    std::vector<std::vector<unsigned char>> drain(int quiet_ms = 200) {
        std::vector<std::vector<unsigned char>> all;
        for (auto d = receive(quiet_ms); !d.empty(); d = receive(quiet_ms)) all.push_back(std::move(d));
        return all;
    }

private:
    int family_;
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

} // namespace factory::testing
