#include "http/endpoint.hpp"

#include "http/dashboard_page.hpp"
#include "http/metrics_text.hpp"
#include "http/status_json.hpp"

#include <memory>
#include <utility>

namespace factory::http {

endpoint::endpoint(boost::asio::io_context& io, shm::segment& seg, const listen_address& at,
                   std::vector<std::string> exporter_names, server_limits limits)
    : sampler_(seg, std::move(exporter_names)), server_(io, at, [&seg] { return run_ready(seg); }, limits) {
    tick();
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
