#include "nfdump_tools.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace factory::testing {

namespace {

// A UDP port nothing is bound to right now (the kernel's pick); nfcapd binds it a moment later,
// and the caller tries again if someone else was quicker.
std::uint16_t free_udp_port(bool ipv6) {
    int fd = ::socket(ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    sockaddr_storage ss{};
    socklen_t len;
    if (ipv6) {
        auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
        a->sin6_family = AF_INET6;
        a->sin6_addr = in6addr_loopback;
        len = sizeof *a;
    } else {
        auto* a = reinterpret_cast<sockaddr_in*>(&ss);
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof *a;
    }
    if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        ::close(fd);
        throw std::runtime_error("bind failed");
    }
    len = sizeof ss;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
    std::uint16_t port = ntohs(ipv6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                    : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
    ::close(fd);
    return port;
}

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// The rx_queue and drops columns of `port`'s line in /proc/net/udp (udp6 for IPv6).
bool socket_queue(bool ipv6, std::uint16_t port, std::uint64_t& rx_queue, std::uint64_t& drops) {
    std::ifstream in(ipv6 ? "/proc/net/udp6" : "/proc/net/udp");
    std::string line;
    std::getline(in, line); // header
    char want[8];
    std::snprintf(want, sizeof want, ":%04X", port);
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string slot, local, remote, state, queues;
        f >> slot >> local >> remote >> state >> queues;
        if (local.size() < 5 || local.compare(local.size() - 5, 5, want) != 0) continue;
        std::string field;
        for (int i = 0; i < 7; ++i) f >> field; // tr:tm->when retrnsmt uid timeout inode ref pointer
        if (!(f >> drops)) return false;
        rx_queue = std::stoull(queues.substr(queues.find(':') + 1), nullptr, 16);
        return true;
    }
    return false;
}

} // namespace

std::string to_string(const nf_record& r) {
    return r.src + ":" + std::to_string(r.src_port) + " > " + r.dst + ":" + std::to_string(r.dst_port) + " proto " +
           std::to_string(r.protocol) + " packets " + std::to_string(r.packets) + " bytes " + std::to_string(r.bytes) +
           " first " + std::to_string(r.first_ms) + " last " + std::to_string(r.last_ms) + " flags " + r.tcp_flags;
}

std::int64_t parse_utc_ms(const std::string& t) {
    // YYYY-MM-DDTHH:MM:SS.mmm
    if (t.size() < 23 || t[4] != '-' || t[10] != 'T' || t[19] != '.')
        throw std::runtime_error("unexpected time from nfdump: '" + t + "'");
    auto num = [&](std::size_t at, std::size_t n) { return std::stoll(t.substr(at, n)); };
    std::int64_t days = days_from_civil(num(0, 4), static_cast<unsigned>(num(5, 2)), static_cast<unsigned>(num(8, 2)));
    std::int64_t secs = days * 86400 + num(11, 2) * 3600 + num(14, 2) * 60 + num(17, 2);
    return secs * 1000 + num(20, 3);
}

std::vector<nf_record> parse_nfdump_json(const std::string& text) {
    std::vector<nf_record> out;
    if (text.find('{') == std::string::npos) return out;
    nlohmann::json all = nlohmann::json::parse(text);
    for (const auto& j : all) {
        if (j.value("type", "") != "FLOW") continue;
        nf_record r;
        r.src = j.contains("src4_addr") ? j.at("src4_addr").get<std::string>() : j.at("src6_addr").get<std::string>();
        r.dst = j.contains("dst4_addr") ? j.at("dst4_addr").get<std::string>() : j.at("dst6_addr").get<std::string>();
        r.protocol = j.at("proto").get<std::uint8_t>();
        if (j.contains("icmp_type")) {
            r.dst_port = static_cast<std::uint16_t>(j.at("icmp_type").get<unsigned>() * 256 + j.at("icmp_code").get<unsigned>());
        } else {
            r.src_port = j.value("src_port", std::uint16_t{0});
            r.dst_port = j.value("dst_port", std::uint16_t{0});
        }
        r.packets = j.at("in_packets").get<std::uint64_t>();
        r.bytes = j.at("in_bytes").get<std::uint64_t>();
        r.first_ms = parse_utc_ms(j.at("first").get<std::string>());
        r.last_ms = parse_utc_ms(j.at("last").get<std::string>());
        r.tcp_flags = j.value("tcp_flags", "");
        out.push_back(std::move(r));
    }
    return out;
}

nfcapd::nfcapd(const std::filesystem::path& dir, bool ipv6, std::size_t socket_buffer) : dir_(dir), flows_(dir / "flows"), log_(dir / "nfcapd.log"), ipv6_(ipv6) {
    std::filesystem::create_directories(flows_);
    std::string last_log;
    for (int attempt = 0; attempt < 5; ++attempt) {
        port_ = free_udp_port(ipv6);
        std::vector<std::string> argv{"nfcapd", "-p", std::to_string(port_), "-b", ipv6 ? "::1" : "127.0.0.1",
                                      "-w", flows_.string()};
        if (ipv6) argv.insert(argv.begin() + 1, "-6");
        if (socket_buffer > 0) {
            argv.push_back("-B");
            argv.push_back(std::to_string(socket_buffer));
        }
        proc_ = std::make_unique<child_process>(argv, log_, log_.string() + ".err");
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (std::chrono::steady_clock::now() < deadline) {
            last_log = read_text(log_) + read_text(log_.string() + ".err");
            if (last_log.find("Startup") != std::string::npos) return;
            if (!proc_->running()) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        proc_.reset();
    }
    throw std::runtime_error("nfcapd did not start: " + last_log);
}

std::string nfcapd::address() const {
    return ipv6_ ? "[::1]:" + std::to_string(port_) : "127.0.0.1:" + std::to_string(port_);
}

void nfcapd::wait_drained(std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    int empty_polls = 0;
    while (empty_polls < 5) {
        std::uint64_t queued = 0, drops = 0;
        if (!socket_queue(ipv6_, port_, queued, drops))
            throw std::runtime_error("nfcapd's socket on port " + std::to_string(port_) + " is gone");
        empty_polls = queued == 0 ? empty_polls + 1 : 0;
        if (std::chrono::steady_clock::now() > deadline)
            throw std::runtime_error("nfcapd did not read its socket empty in time");
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

std::uint64_t nfcapd::socket_drops() const {
    std::uint64_t queued = 0, drops = 0;
    if (!socket_queue(ipv6_, port_, queued, drops))
        throw std::runtime_error("nfcapd's socket on port " + std::to_string(port_) + " is gone");
    return drops;
}

std::string nfcapd::stop() {
    if (proc_) {
        proc_->signal(SIGTERM);
        int rc = proc_->wait(std::chrono::seconds(10));
        bool late = proc_->timed_out();
        proc_.reset();
        if (late) throw std::runtime_error("nfcapd did not stop within 10 s of SIGTERM");
        if (rc != 0) throw std::runtime_error("nfcapd exited with " + std::to_string(rc) + ": " + read_text(log_));
    }
    return read_text(log_) + read_text(log_.string() + ".err");
}

std::vector<nf_record> nfcapd::flows() const {
    bool any = false;
    for (const auto& e : std::filesystem::directory_iterator(flows_)) any = any || e.is_regular_file();
    if (!any) return {};
    return parse_nfdump_json(
        run_and_read({"nfdump", "-R", flows_.string(), "-o", "json"}, std::chrono::seconds(60), dir_));
}

} // namespace factory::testing
