// Clients that misbehave: unknown paths and methods, a huge header, a client that never finishes
// its request, 200 connections at once. The server answers or closes each as documented
// (host/http/server.hpp), the factory keeps running, and the run's accounting still balances.
#include "support/background_host.hpp"
#include "support/http_client.hpp"

#include <catch2/catch.hpp>

#include <thread>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace factory::testing;

namespace {

nlohmann::json status_of(std::uint16_t port) {
    const auto r = http_get(port, "/api/status");
    return r.status == 200 ? nlohmann::json::parse(r.body) : nlohmann::json();
}

} // namespace

TEST_CASE("bad requests and bad clients leave the run running and balanced", "[http]") {
    const auto port = free_port();
    background_host host({"--source", "synthetic:keys=500,count=100000000", "--blueprint", "widget", "--exporter",
                          "null", "--workshops", "2", "--rate", "4000", "--duration", "120s", "--http",
                          "127.0.0.1:" + std::to_string(port)},
                         std::chrono::seconds(200));
    REQUIRE(wait_for_status(port, "/readyz", 200));

    // Unknown path, other method.
    CHECK(http_get(port, "/nope").status == 404);
    const auto post = http_raw(port, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi");
    CHECK(post.status == 405);
    CHECK(post.headers.find("Allow: GET") != std::string::npos);
    // A query string does not change the route.
    CHECK(http_get(port, "/healthz?probe=1").status == 200);

    // A header of 64 KiB: 431, and the connection is closed.
    const auto huge = http_raw(port, "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Huge: " + std::string(64 * 1024, 'a') + "\r\n\r\n");
    CHECK(huge.status == 431);
    // Garbage instead of a request line: 400.
    CHECK(http_raw(port, "\x01\x02 nonsense\r\n\r\n").status == 400);

    // A client that starts a request and never finishes it: while it hangs, others are served,
    // and the server closes it after its timeout (5 s; the socket's own watchdog is 30 s).
    const int slow = connect_to(port, 30);
    REQUIRE(slow >= 0);
    const std::string partial = "GET /metrics HTTP/1.1\r\nHost: x\r\n";
    REQUIRE(::send(slow, partial.data(), partial.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(partial.size()));
    CHECK(http_get(port, "/healthz").status == 200);
    CHECK(wait_closed(slow));
    ::close(slow);

    // 200 connections at once, none sending anything: 64 are held (the cap), the other 136 closed
    // at once; when they go, the server answers again.
    std::vector<int> many;
    for (int i = 0; i < 200; ++i) many.push_back(connect_to(port, 30));
    int connected = 0;
    for (int fd : many) connected += fd >= 0 ? 1 : 0;
    CHECK(connected == 200);
    // The refused ones are closed at once, the held ones only after their 5 s: wait (bounded) for
    // 136 closed before letting go of the rest, so every one was accepted while 64 were held.
    std::vector<pollfd> fds;
    for (int fd : many)
        if (fd >= 0) fds.push_back({fd, POLLIN, 0});
    std::size_t closed = 0;
    for (int round = 0; round < 100 && closed < 136; ++round) {
        if (::poll(fds.data(), fds.size(), 200) <= 0) continue;
        for (auto& p : fds) {
            if (p.fd < 0 || p.revents == 0) continue;
            char c;
            if (::recv(p.fd, &c, 1, MSG_DONTWAIT) <= 0) {
                ++closed;
                ::close(p.fd);
                p.fd = -1;
            }
        }
    }
    CHECK(closed == 136);
    for (auto& p : fds)
        if (p.fd >= 0) ::close(p.fd);
    REQUIRE(wait_for_status(port, "/healthz", 200));
    // The counts reach /api/status at the next ops tick.
    nlohmann::json s;
    for (int i = 0; i < 50; ++i) {
        s = status_of(port);
        if (!s.is_null() && s.at("http").at("refused_connections").get<std::uint64_t>() >= 136) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    REQUIRE(!s.is_null());
    CHECK(s.at("http").at("refused_connections") == 136);
    CHECK(s.at("http").at("timeouts").get<std::uint64_t>() >= 1); // the slow client
    CHECK(s.at("http").at("bad_requests") == 2);                  // the huge header, the garbage
    CHECK(s.at("phase") == "running");
    const auto before = s.at("purchasing").at("purchased").get<std::uint64_t>();
    // The factory kept running through all of it.
    bool grew = false;
    for (int i = 0; i < 50 && !grew; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        const auto later = status_of(port);
        grew = !later.is_null() && later.at("purchasing").at("purchased").get<std::uint64_t>() > before;
    }
    CHECK(grew);

    auto r = host.stop();
    CHECK(r.exit_code == 0);
    CHECK(r.summary.at("balanced") == true);
    CHECK(r.summary.at("lost_anything") == false);
    CHECK(r.summary.at("purchased").get<std::uint64_t>() == r.summary.at("assembled").get<std::uint64_t>());
}
