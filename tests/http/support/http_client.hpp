// A minimal blocking HTTP/1.1 client for the tests of the ops endpoint, on plain sockets so the
// tests do not share code with the server they check. Every call has a receive/send timeout (the
// watchdog of the socket), and every helper answers status 0 when the connection failed.
#pragma once

#include <cstdint>
#include <string>

namespace factory::testing {

struct http_reply {
    int status = 0; // 0: no answer (refused, closed, timed out)
    std::string headers, body;
};

// A port on 127.0.0.1 that was free a moment ago.
std::uint16_t free_port();

// Sends `request` as is on a new connection to 127.0.0.1:port and reads until the server closes.
http_reply http_raw(std::uint16_t port, const std::string& request, int timeout_s = 10);
// GET `target` with Connection: close.
http_reply http_get(std::uint16_t port, const std::string& target, int timeout_s = 10);

// A connected socket to 127.0.0.1:port with a receive timeout, or -1.
int connect_to(std::uint16_t port, int timeout_s = 10);
// recv on `fd` until it returns 0 (the peer closed: true) or fails/times out (false).
bool wait_closed(int fd);

// Waits (bounded: `tries` x 200 ms) until GET target answers `status`.
bool wait_for_status(std::uint16_t port, const std::string& target, int status, int tries = 150);

} // namespace factory::testing
