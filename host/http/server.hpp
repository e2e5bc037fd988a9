// The ops HTTP server: Boost.Beast on the host's own io_context (the supervisor's loop), so it
// needs no thread and no lock. Every handler is asynchronous; nothing it does waits on a client.
// It serves only what the ops loop has already rendered (publish(), once a second), so a request
// costs a copy-free write, not a formatting pass.
//
// Limits, so that no client can hurt the run: a request's header is at most `header_limit` bytes
// (431 beyond), its body at most `body_limit` (413); a connection that does not finish a request, or
// take its response, within `timeout` is closed; at most `max_connections` are open at once, and
// the rest are closed as soon as they are accepted. Sockets are close-on-exec: the host's children
// (posix_spawn) never inherit them.
#pragma once

#include "http/listen_address.hpp"
#include "http/status.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace factory::http {

// What the server answers with, rendered by the ops loop; any may be null (then 503).
struct rendered {
    std::shared_ptr<const std::string> metrics, status_json, page;
};

struct server_limits {
    std::size_t max_connections = 64;
    std::chrono::milliseconds timeout{5000};
    std::uint32_t header_limit = 8 * 1024;
    std::uint64_t body_limit = 1024;
};

class server {
public:
    // Listens now. Throws std::runtime_error naming the address when it cannot (in use, no such
    // address). `ready` answers /readyz; it is called on the loop's thread.
    server(boost::asio::io_context& io, const listen_address& at, std::function<bool()> ready,
           server_limits limits = {});
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // The address it listens on (the port the system chose, when 0 was asked).
    boost::asio::ip::tcp::endpoint local_endpoint() const;
    // Loop thread only: what the next requests get.
    void publish(rendered r);
    server_counts counts() const;

    struct state; // shared with connections, which may outlive the server in the loop's queue

private:
    void accept();

    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer retry_;
    std::shared_ptr<state> state_;
};

} // namespace factory::http
