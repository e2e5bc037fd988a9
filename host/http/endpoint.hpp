// The ops endpoint of a run (--http): the server, and the sampler that feeds it. The supervisor
// makes one at start (it listens at once, so a taken port refuses the run before any child starts)
// and calls tick() on every ops tick; everything runs on the supervisor's io_context.
#pragma once

#include "http/listen_address.hpp"
#include "http/server.hpp"
#include "http/status.hpp"
#include "shm/segment.hpp"

#include "common/run_config.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>

#include <string>
#include <vector>

namespace factory::http {

class endpoint {
public:
    // Throws std::runtime_error when it cannot listen at `at`.
    endpoint(boost::asio::io_context& io, shm::segment& seg, const listen_address& at,
             std::vector<std::string> exporter_names, server_limits limits = {});
    // The run's endpoint when it has --http (logged with its address), else nothing. Throws
    // std::runtime_error when it cannot listen.
    static std::unique_ptr<endpoint> open(boost::asio::io_context& io, shm::segment& seg, const run_config& cfg);

    // Samples the segment and renders /metrics, /api/status and the page for the next second.
    void tick();
    void set_checkpoints(const checkpoint_status& c) noexcept { sampler_.set_checkpoints(c); }
    // --http-linger: once the run has ended, serves its final figures for that long (or until a
    // signal), then calls `done`. False, and nothing happens, when there is nothing to linger for.
    bool linger(std::function<void()> done);
    // "http://127.0.0.1:9100/"
    std::string url() const;

private:
    status_sampler sampler_;
    server server_;
    std::int64_t linger_ns_ = 0;
    bool ready_ = true; // false once the run has ended
    boost::asio::steady_timer linger_timer_;
    boost::asio::signal_set linger_signals_;
};

} // namespace factory::http
