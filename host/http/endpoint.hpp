// The ops endpoint of a run (--http): the server, and the sampler that feeds it. The supervisor
// makes one at start (it listens at once, so a taken port refuses the run before any child starts)
// and calls tick() on every ops tick; everything runs on the supervisor's io_context.
#pragma once

#include "http/listen_address.hpp"
#include "http/server.hpp"
#include "http/status.hpp"
#include "shm/segment.hpp"

#include <boost/asio/io_context.hpp>

#include <string>
#include <vector>

namespace factory::http {

class endpoint {
public:
    // Throws std::runtime_error when it cannot listen at `at`.
    endpoint(boost::asio::io_context& io, shm::segment& seg, const listen_address& at,
             std::vector<std::string> exporter_names, server_limits limits = {});
    // Samples the segment and renders /metrics, /api/status and the page for the next second.
    void tick();
    // "http://127.0.0.1:9100/"
    std::string url() const;

private:
    status_sampler sampler_;
    server server_;
};

} // namespace factory::http
