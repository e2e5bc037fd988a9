#include "exporter_ipfix/collector_socket.hpp"
#include "udp_receiver.hpp"

#include <factory/settings.hpp>

#include <catch2/catch.hpp>

#include <memory>
#include <vector>

using namespace factory::ipfix;
using factory::testing::udp_receiver;

namespace {

std::string parse_error(const char* text) {
    try {
        parse_collector(text);
    } catch (const factory::error& e) {
        return e.what();
    }
    return "";
}

} // namespace

TEST_CASE("collector addresses: host:port, [ipv6]:port, and a bare host on port 4739") {
    auto a = parse_collector("collector.example:2055");
    CHECK(a.host == "collector.example");
    CHECK(a.port == "2055");
    a = parse_collector("[2001:db8::1]:9995");
    CHECK(a.host == "2001:db8::1");
    CHECK(a.port == "9995");
    a = parse_collector("10.1.2.3");
    CHECK(a.port == "4739");
    a = parse_collector("[::1]");
    CHECK(a.host == "::1");
    CHECK(a.port == "4739");
}

TEST_CASE("malformed collector addresses are refused with the form to use") {
    CHECK_THAT(parse_error(""), Catch::Contains("is empty"));
    CHECK_THAT(parse_error("::1:4739"), Catch::Contains("without brackets") && Catch::Contains("[ipv6]:port"));
    CHECK_THAT(parse_error("[::1"), Catch::Contains("no closing"));
    CHECK_THAT(parse_error("host:0"), Catch::Contains("1..65535"));
    CHECK_THAT(parse_error("host:70000"), Catch::Contains("1..65535"));
    CHECK_THAT(parse_error("host:ipfix"), Catch::Contains("1..65535"));
    CHECK_THAT(parse_error(":4739"), Catch::Contains("no host"));
    CHECK_THROWS_WITH(collector_socket("no-such-host.invalid:4739"), Catch::Contains("cannot resolve 'no-such-host.invalid'"));
}

TEST_CASE("datagrams reach an IPv4 and an IPv6 collector on loopback") {
    for (int family : {AF_INET, AF_INET6}) {
        std::unique_ptr<udp_receiver> rx;
        try {
            rx = std::make_unique<udp_receiver>(family);
        } catch (const std::exception& e) {
            WARN("no loopback for this family here: " << e.what());
            continue;
        }
        collector_socket s(rx->collector());
        CHECK(s.name() == rx->collector());
        CHECK(s.header_overhead() == (family == AF_INET6 ? 48u : 28u));
        std::vector<unsigned char> d{1, 2, 3, 4, 5};
        std::string why;
        REQUIRE(s.send(d, why) == send_status::ok);
        CHECK(rx->receive() == d);
    }
}

TEST_CASE("a collector that does not listen is a retry naming the refusal") {
    std::uint16_t port;
    {
        udp_receiver rx; // find a free port, then free it
        port = rx.port();
    }
    collector_socket s("127.0.0.1:" + std::to_string(port));
    std::vector<unsigned char> d(100, 7);
    std::string why;
    // The first datagram leaves; the refusal (ICMP port unreachable) comes back for the next.
    CHECK(s.send(d, why) == send_status::ok);
    CHECK(s.take_pending_error(why));
    CHECK_THAT(why, Catch::Contains("127.0.0.1:" + std::to_string(port)) && Catch::Contains("refused") &&
                        Catch::Contains("listening"));
    CHECK_FALSE(s.take_pending_error(why)); // taken: gone
    CHECK(s.send(d, why) == send_status::ok);
    CHECK(s.send(d, why) == send_status::retry);
    CHECK_THAT(why, Catch::Contains("refused"));
}

TEST_CASE("a datagram larger than UDP allows is an error, not a retry") {
    udp_receiver rx;
    collector_socket s(rx.collector());
    std::vector<unsigned char> d(70000, 1);
    std::string why;
    CHECK(s.send(d, why) == send_status::error);
    CHECK_THAT(why, Catch::Contains("mtu"));
}
