#include "http/endpoint.hpp"

#include "common/log.hpp"
#include "http/dashboard_page.hpp"
#include "http/metrics_text.hpp"
#include "http/status_json.hpp"

#include <chrono>
#include <csignal>
#include <memory>
#include <utility>

namespace factory::http {

endpoint::endpoint(boost::asio::io_context& io, shm::segment& seg, const listen_address& at,
                   std::vector<std::string> exporter_names, server_limits limits)
    : sampler_(seg, std::move(exporter_names)), server_(io, at, [this, &seg] { return ready_ && run_ready(seg); }, limits),
      linger_timer_(io), linger_signals_(io) {
    tick();
}

std::unique_ptr<endpoint> endpoint::open(boost::asio::io_context& io, shm::segment& seg, const run_config& cfg) {
    if (cfg.http.empty()) return nullptr;
    std::vector<std::string> names;
    for (const auto& e : cfg.exporters) names.push_back(e.name);
    auto e = std::make_unique<endpoint>(io, seg, listen_address::parse(cfg.http, true), std::move(names));
    e->linger_ns_ = cfg.http_linger_ns;
    log().info("ops: serving {} (/metrics, /api/status, /healthz, /readyz)", e->url());
    return e;
}

bool endpoint::linger(std::function<void()> done) {
    if (linger_ns_ <= 0) return false;
    sampler_.mark_ended();
    ready_ = false;
    tick();
    log().info("ops: the run has ended; serving its final figures for {} s more (a signal ends that)",
               static_cast<double>(linger_ns_) / 1e9);
    // The host's own signal handling has ended with its children; these end the wait instead.
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) linger_signals_.add(s);
    linger_signals_.async_wait([this, done](const boost::system::error_code& ec, int) {
        if (ec) return;
        linger_timer_.cancel();
        done();
    });
    linger_timer_.expires_after(std::chrono::nanoseconds(linger_ns_));
    linger_timer_.async_wait([this, done](const boost::system::error_code& ec) {
        if (ec) return;
        linger_signals_.cancel();
        done();
    });
    return true;
}

void endpoint::tick() {
    const status& s = sampler_.sample(server_.counts());
    rendered r;
    auto json = std::make_shared<const std::string>(render_status_json(s));
    r.page = std::make_shared<const std::string>(render_dashboard(*json));
    r.status_json = std::move(json);
    r.metrics = std::make_shared<const std::string>(render_metrics(s));
    server_.publish(std::move(r));
}

std::string endpoint::url() const {
    const auto ep = server_.local_endpoint();
    const std::string a = ep.address().to_string();
    return "http://" + (ep.address().is_v6() ? "[" + a + "]" : a) + ":" + std::to_string(ep.port()) + "/";
}

} // namespace factory::http
