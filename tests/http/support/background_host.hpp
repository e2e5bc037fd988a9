// factory-host run in the background (run_host on a thread, with its watchdog), so a test can talk
// to its ops endpoint while it runs; stop() sends SIGTERM and returns the result.
#pragma once

#include "support/host_run.hpp"

#include <atomic>
#include <csignal>
#include <future>
#include <string>
#include <vector>

#include <signal.h>

namespace factory::testing {

class background_host {
public:
    explicit background_host(std::vector<std::string> args, std::chrono::seconds timeout = std::chrono::seconds(120)) {
        host_options opt;
        opt.timeout = timeout;
        opt.on_output = [this](pid_t pid, const std::string&) { pid_.store(pid); };
        result_ = std::async(std::launch::async, [args = std::move(args), opt] { return run_host(args, opt); });
    }
    ~background_host() {
        if (result_.valid()) stop();
    }
    // Ends the run as a user would (SIGTERM), then waits for it.
    host_result stop() {
        if (pid_t p = pid_.load(); p > 0 && result_.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
            ::kill(p, SIGTERM);
        return result_.get();
    }
    // Waits for the run to end by itself (--duration).
    host_result wait() { return result_.get(); }

private:
    std::atomic<pid_t> pid_{0};
    std::future<host_result> result_;
};

} // namespace factory::testing
