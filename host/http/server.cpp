#include "http/server.hpp"

#include "http/metrics_text.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <optional>
#include <stdexcept>
#include <string_view>

#include <fcntl.h>

namespace factory::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;

struct server::state {
    std::function<bool()> ready;
    server_limits limits;
    rendered now;
    server_counts counts;
    bool stopped = false;
};

namespace {

void close_on_exec(int fd) {
    const int flags = ::fcntl(fd, F_GETFD);
    if (flags >= 0) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

constexpr std::string_view text_plain = "text/plain; charset=utf-8";

class connection : public std::enable_shared_from_this<connection> {
public:
    connection(tcp::socket socket, std::shared_ptr<server::state> st)
        : stream_(std::move(socket)), buffer_(st->limits.header_limit + st->limits.body_limit + 1024), st_(std::move(st)) {
        ++st_->counts.open_connections;
    }
    ~connection() { --st_->counts.open_connections; }

    void read() {
        parser_.emplace();
        parser_->header_limit(st_->limits.header_limit);
        parser_->body_limit(st_->limits.body_limit);
        stream_.expires_after(st_->limits.timeout);
        bhttp::async_read(stream_, buffer_, *parser_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

private:
    void on_read(beast::error_code ec) {
        if (ec == bhttp::error::end_of_stream) return close();
        if (ec == beast::error::timeout) {
            ++st_->counts.timeouts; // tcp_stream has closed the socket already
            return;
        }
        if (ec == bhttp::error::header_limit) return refuse(bhttp::status::request_header_fields_too_large);
        if (ec == bhttp::error::body_limit) return refuse(bhttp::status::payload_too_large);
        if (ec) {
            // A parse error is a malformed request and gets its 400; a reset or a client gone in
            // the middle of its request gets nothing, there is no one to tell.
            if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
                ec != bhttp::error::partial_message)
                return refuse(bhttp::status::bad_request);
            return;
        }
        route(parser_->get());
    }

    void refuse(bhttp::status code) {
        ++st_->counts.bad_requests;
        static const std::string why = "bad request\n";
        respond(code, text_plain, nullptr, why, false);
    }

    void route(const bhttp::request<bhttp::string_body>& req) {
        ++st_->counts.requests;
        const bool keep = req.keep_alive();
        std::string_view target = req.target();
        if (auto q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);
        static const std::string ok = "ok\n", ready = "ready\n", not_ready = "not ready\n",
                                 not_found = "not found: the ops endpoint serves /, /metrics, /api/status, /healthz and /readyz\n",
                                 not_allowed = "method not allowed: use GET\n", warming = "not sampled yet\n";
        if (req.method() != bhttp::verb::get) return respond(bhttp::status::method_not_allowed, text_plain, nullptr, not_allowed, keep, true);
        const auto cached = [&](const std::shared_ptr<const std::string>& body, std::string_view type) {
            if (!body) return respond(bhttp::status::service_unavailable, text_plain, nullptr, warming, keep);
            respond(bhttp::status::ok, type, body, *body, keep);
        };
        if (target == "/metrics") return cached(st_->now.metrics, metrics_content_type);
        if (target == "/api/status") return cached(st_->now.status_json, "application/json");
        if (target == "/" || target == "/index.html") return cached(st_->now.page, "text/html; charset=utf-8");
        if (target == "/healthz") return respond(bhttp::status::ok, text_plain, nullptr, ok, keep);
        if (target == "/readyz") {
            const bool r = st_->ready && st_->ready();
            return respond(r ? bhttp::status::ok : bhttp::status::service_unavailable, text_plain, nullptr,
                           r ? ready : not_ready, keep);
        }
        respond(bhttp::status::not_found, text_plain, nullptr, not_found, keep);
    }

    // `text` lives in `hold` or in static storage until the write completes.
    void respond(bhttp::status code, std::string_view type, std::shared_ptr<const std::string> hold,
                 std::string_view text, bool keep, bool allow = false) {
        hold_ = std::move(hold);
        res_.emplace(code, 11);
        res_->set(bhttp::field::server, "factory-host");
        res_->set(bhttp::field::content_type, type);
        res_->set(bhttp::field::cache_control, "no-store");
        if (allow) res_->set(bhttp::field::allow, "GET");
        res_->body() = bhttp::span_body<const char>::value_type(text.data(), text.size());
        res_->keep_alive(keep);
        res_->prepare_payload();
        stream_.expires_after(st_->limits.timeout);
        bhttp::async_write(stream_, *res_, [self = shared_from_this(), keep](beast::error_code ec, std::size_t) {
            self->hold_.reset();
            if (ec == beast::error::timeout) ++self->st_->counts.timeouts;
            if (ec) return;
            if (!keep) return self->close();
            self->read();
        });
    }

    void close() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::shared_ptr<server::state> st_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    std::optional<bhttp::response<bhttp::span_body<const char>>> res_;
    std::shared_ptr<const std::string> hold_;
};

} // namespace

server::server(boost::asio::io_context& io, const listen_address& at, std::function<bool()> ready, server_limits limits)
    : acceptor_(io), retry_(io), state_(std::make_shared<state>()) {
    state_->ready = std::move(ready);
    state_->limits = limits;
    const tcp::endpoint ep(boost::asio::ip::make_address(at.address), at.port);
    beast::error_code ec;
    acceptor_.open(ep.protocol(), ec);
    if (!ec) {
        close_on_exec(acceptor_.native_handle());
        acceptor_.set_option(boost::asio::socket_base::reuse_address(true), ec);
    }
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
    if (ec)
        throw std::runtime_error("--http " + at.to_string() + ": cannot listen there (" + ec.message() +
                                 "); choose another address or port");
    accept();
}

server::~server() {
    state_->stopped = true;
    retry_.cancel();
    beast::error_code ignored;
    acceptor_.close(ignored);
}

tcp::endpoint server::local_endpoint() const {
    beast::error_code ec;
    return acceptor_.local_endpoint(ec);
}

void server::publish(rendered r) { state_->now = std::move(r); }

server_counts server::counts() const { return state_->counts; }

void server::accept() {
    acceptor_.async_accept([this, st = state_](beast::error_code ec, tcp::socket socket) {
        if (ec == boost::asio::error::operation_aborted || st->stopped) return; // the server is gone
        if (ec) {
            // Out of descriptors, say: try again shortly rather than spin on the loop.
            retry_.expires_after(std::chrono::milliseconds(100));
            retry_.async_wait([this, st](beast::error_code e) {
                if (!e && !st->stopped) accept();
            });
            return;
        }
        {
            close_on_exec(socket.native_handle());
            if (st->counts.open_connections >= st->limits.max_connections) {
                ++st->counts.refused_connections;
                beast::error_code ignored;
                socket.close(ignored);
            } else {
                std::make_shared<connection>(std::move(socket), st)->read();
            }
        }
        accept();
    });
}

} // namespace factory::http
