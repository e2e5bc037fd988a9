// Live capture on the loopback interface, where the system lets this process capture (root or
// CAP_NET_RAW); otherwise the test says why it did not run. A watchdog bounds the wait.
#include "source_pcap/pcap_source.hpp"

#include "support/fake_purchasing.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

using factory::testing::fake_purchasing;

TEST_CASE("live capture on lo sees datagrams sent to it, keyed and timed like file packets") {
    fake_purchasing p(factory::detail::source_descriptor<factory::pcap::pcap_source>(), {{"interface", "lo"}});
    if (p.open() != FACTORY_OK) {
        WARN("live capture not possible here, not tested: " << p.error);
        CHECK(p.error.find("'lo'") != std::string::npos);
        return;
    }
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(47123);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const auto start = std::chrono::system_clock::now();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    bool seen = false;
    while (!seen && std::chrono::steady_clock::now() < deadline) {
        const char payload[] = "factory live capture test";
        REQUIRE(::sendto(fd, payload, sizeof payload, 0, reinterpret_cast<sockaddr*>(&to), sizeof to) > 0);
        REQUIRE(p.fill(1000) == FACTORY_OK);
        for (const auto& m : p.room.materials) {
            const auto pk = m.as<factory_packet>();
            if (pk.protocol != 17 || pk.dst_port != 47123) continue;
            seen = true;
            CHECK(pk.ip_length == 20 + 8 + sizeof payload);
            CHECK(pk.src_addr[0] == 127);
            const auto t = std::chrono::system_clock::time_point(std::chrono::nanoseconds(m.time_ns));
            CHECK(t > start - std::chrono::seconds(1));
            CHECK(t < std::chrono::system_clock::now() + std::chrono::seconds(1));
        }
    }
    ::close(fd);
    CHECK(seen);
}

TEST_CASE("live capture on an interface that does not exist is refused with its name") {
    fake_purchasing p(factory::detail::source_descriptor<factory::pcap::pcap_source>(),
                      {{"interface", "no-such-if0"}});
    REQUIRE(p.open() == FACTORY_ERROR);
    CHECK(p.error.find("no-such-if0") != std::string::npos);
}
