// The host's supervision of a run's child processes: starts them, passes the start-up barrier,
// watches them die (SIGCHLD), turns signals and --duration into the orderly ending, and ticks the
// ops report. One thread, one Asio io_context.
#pragma once

#include "common/run_config.hpp"
#include "http/endpoint.hpp"
#include "ops/report.hpp"
#include "runtime/checkpoint_keeper.hpp"
#include "runtime/roles.hpp"
#include "shm/segment.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <sys/types.h>

namespace factory::runtime {

struct child_record {
    role what;
    std::uint32_t index;
    pid_t pid = 0;
    bool exited = false;
    int status = 0;             // from waitpid
    std::string kill_reason;    // set when the host killed it (a hang)
    std::uint64_t last_heartbeat = 0;
    std::int64_t heartbeat_seen_ns = 0;
    std::deque<std::int64_t> deaths; // when it died, within the last minute
};

class supervisor {
public:
    // `keeper`: the run's checkpoints (--checkpoint), or nullptr. With it, a process that dies
    // rolls the whole factory back instead of being restarted alone (rolled_back()).
    supervisor(shm::segment& seg, std::string segment_name, const run_config& cfg, std::int64_t duration_ns,
               checkpoint_keeper* keeper = nullptr);

    // Runs the whole life of the children. Returns false when the run failed to start (the reason
    // is in failure()).
    bool run();
    const std::string& failure() const noexcept { return failure_; }
    // True when every child ended cleanly (exit 0, nothing killed).
    bool children_clean() const noexcept { return children_clean_; }
    // Restarts of crashed or hung processes during the run.
    std::uint32_t restarts() const noexcept { return restarts_; }
    double seconds() const noexcept { return seconds_; }
    // What made the host end the run: a signal ("SIGTERM"), "--duration", a limit, a process
    // given up on; empty when nothing did (the input ended, or the source failed).
    const std::string& ended_by() const noexcept { return ended_by_; }
    // A process died with checkpoints on: every process was ended, and the run is to start again
    // from the last complete checkpoint (runtime/ceo.cpp). `why` says which process died of what.
    bool rolled_back() const noexcept { return rolled_back_; }
    const std::string& rollback_reason() const noexcept { return rollback_reason_; }

private:
    void start_children();
    void on_signal(int signo);
    void reap();
    void on_end(child_record& c);
    void on_death(child_record& c, const std::string& how);
    void restart(child_record& c, const std::string& how);
    void purchasing_died(const std::string& how);
    void roll_back(child_record& c, const std::string& how);
    void schedule_checkpoints();
    void poll_checkpoints();
    void check_hangs();
    void check_dead_letters();
    std::int64_t hang_limit_ns(const child_record& c) const;
    std::uint32_t slot_of(const child_record& c) const;
    void check_startup();
    void on_ops();
    void request_stop(const char* why);
    void abort_run(const char* why);
    bool all_exited() const;
    void schedule_signal_wait();

    shm::segment& seg_;
    std::string segment_name_;
    const run_config& cfg_;
    std::int64_t duration_ns_;
    boost::asio::io_context io_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer startup_timer_, ops_timer_, duration_timer_, kill_timer_, checkpoint_timer_,
        checkpoint_poll_timer_;
    checkpoint_keeper* keeper_;
    bool rolled_back_ = false;
    std::string rollback_reason_;
    std::vector<child_record> children_;
    ops::report ops_;
    std::unique_ptr<http::endpoint> http_; // --http; after io_, so it goes first
    std::string failure_;
    bool running_ = false, stopping_ = false, aborting_ = false, children_clean_ = true;
    bool polling_always_ = false; // the keeper polls for checkpoints the source takes (source_keeps_state)
    std::int64_t started_ns_ = 0, startup_deadline_ns_ = 0, stop_ns_ = 0;
    std::string ended_by_;
    std::uint32_t restarts_ = 0;
    unsigned user_signals_ = 0; // SIGINT/SIGTERM received
    double seconds_ = 0;
};

} // namespace factory::runtime
