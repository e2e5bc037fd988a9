#include "runtime/supervisor.hpp"

#include "common/clock.hpp"
#include "common/log.hpp"
#include "runtime/spawn.hpp"

#include <chrono>
#include <csignal>

#include <sys/wait.h>

namespace factory::runtime {

namespace {

constexpr std::int64_t startup_limit_ns = 60'000'000'000;
std::string describe_status(int status) {
    if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return std::string("signal ") + ::strsignal(WTERMSIG(status));
    return "status " + std::to_string(status);
}

} // namespace

supervisor::supervisor(shm::segment& seg, std::string segment_name, const run_config& cfg, std::int64_t duration_ns)
    : seg_(seg), segment_name_(std::move(segment_name)), cfg_(cfg), duration_ns_(duration_ns),
      signals_(io_, SIGINT, SIGTERM, SIGCHLD), startup_timer_(io_), ops_timer_(io_), duration_timer_(io_),
      kill_timer_(io_),
      ops_(seg, make_logger(department::ops, "ops", cfg.quiet ? "warn" : cfg.log_level, false)) {}

void supervisor::start_children() {
    // Transportation first and purchasing last: consumers are there before producers.
    children_.push_back({role::transportation, 0});
    for (std::uint32_t i = 0; i < cfg_.workshops; ++i) children_.push_back({role::workshop, i});
    children_.push_back({role::purchasing, 0});
    for (auto& c : children_) {
        c.pid = spawn_child(c.what, c.index, segment_name_);
        log().debug("started {} (pid {})", role_name(c.what, c.index), c.pid);
    }
}

void supervisor::schedule_signal_wait() {
    signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
        if (ec) return;
        on_signal(signo);
        if (!all_exited()) schedule_signal_wait();
    });
}

void supervisor::on_signal(int signo) {
    if (signo == SIGCHLD) {
        reap();
        return;
    }
    if (!stopping_ && running_) {
        request_stop(signo == SIGINT ? "SIGINT" : "SIGTERM");
    } else {
        abort_run(signo == SIGINT ? "a second SIGINT" : "a second SIGTERM");
    }
}

void supervisor::request_stop(const char* why) {
    if (stopping_) return;
    stopping_ = true;
    log().info("{}: stopping purchasing, draining the lines (again to end at once)", why);
    seg_.header().stop_purchasing.store(1, std::memory_order_release);
}

void supervisor::abort_run(const char* why) {
    if (aborting_) return;
    aborting_ = true;
    stopping_ = true;
    log().warn("{}: ending at once", why);
    auto& h = seg_.header();
    h.stop_purchasing.store(1, std::memory_order_release);
    h.abort_now.store(1, std::memory_order_release);
    // Wake everyone who sleeps, so they see the flag now.
    seg_.purchasing_bell().notify();
    seg_.transport_bell().notify();
    for (std::uint32_t i = 0; i < seg_.workshops(); ++i) {
        seg_.line_bell(i).notify();
        seg_.lane_bell(i).notify();
    }
    // A process stuck in a plugin gets two seconds, then SIGKILL.
    kill_timer_.expires_after(std::chrono::seconds(2));
    kill_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        for (auto& c : children_)
            if (!c.exited && c.pid > 0) ::kill(c.pid, SIGKILL);
    });
}

void supervisor::reap() {
    for (;;) {
        int status = 0;
        pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid <= 0) break;
        for (auto& c : children_) {
            if (c.pid != pid || c.exited) continue;
            c.exited = true;
            c.status = status;
            bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
            if (!clean) {
                children_clean_ = false;
                if (running_ && !aborting_) {
                    log().error("{} (pid {}) ended with {}", role_name(c.what, c.index), pid, describe_status(status));
                    if (c.what != role::transportation || !WIFEXITED(status)) abort_run("a process of the run failed");
                }
            } else {
                log().debug("{} (pid {}) finished", role_name(c.what, c.index), pid);
            }
        }
    }
    if (all_exited()) {
        seconds_ = static_cast<double>(mono_ns() - started_ns_) * 1e-9;
        io_.stop();
    }
}

bool supervisor::all_exited() const {
    for (const auto& c : children_)
        if (!c.exited) return false;
    return true;
}

void supervisor::check_startup() {
    if (running_ || aborting_) return;
    bool all_ready = true;
    for (auto& c : children_) {
        std::uint32_t slot = c.what == role::purchasing      ? shm::purchasing_slot
                             : c.what == role::transportation ? shm::transport_slot
                                                              : shm::workshop_slot(c.index);
        auto& pb = seg_.process(slot);
        auto st = static_cast<shm::child_state>(pb.state.load(std::memory_order_acquire));
        if (st == shm::child_state::failed) {
            failure_ = pb.message;
            abort_run("a plugin failed to start");
            return;
        }
        if (c.exited && st != shm::child_state::ready) {
            failure_ = role_name(c.what, c.index) + " ended during start-up with " + describe_status(c.status);
            abort_run("a process failed to start");
            return;
        }
        if (st != shm::child_state::ready) all_ready = false;
    }
    if (all_ready) {
        running_ = true;
        started_ns_ = mono_ns();
        seg_.header().started_mono_ns.store(started_ns_, std::memory_order_relaxed);
        seg_.header().phase.store(static_cast<std::uint32_t>(shm::run_phase::running), std::memory_order_release);
        log().info("running: {} workshop{}, source {}, blueprint {}, {} exporter{}", cfg_.workshops,
                   cfg_.workshops == 1 ? "" : "s", cfg_.source.name, cfg_.blueprint.name, cfg_.exporters.size(),
                   cfg_.exporters.size() == 1 ? "" : "s");
        if (duration_ns_ > 0) {
            duration_timer_.expires_after(std::chrono::nanoseconds(duration_ns_));
            duration_timer_.async_wait([this](const boost::system::error_code& ec) {
                if (!ec) request_stop("--duration reached");
            });
        }
        on_ops();
        return;
    }
    if (mono_ns() > startup_deadline_ns_) {
        failure_ = "the run's processes did not get ready within 60 s";
        abort_run("start-up timed out");
        return;
    }
    startup_timer_.expires_after(std::chrono::milliseconds(2));
    startup_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) check_startup();
    });
}

void supervisor::on_ops() {
    if (all_exited()) return;
    ops_timer_.expires_after(std::chrono::seconds(1));
    ops_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || all_exited()) return;
        if (!cfg_.quiet) ops_.tick();
        on_ops();
    });
}

bool supervisor::run() {
    started_ns_ = mono_ns();
    startup_deadline_ns_ = started_ns_ + startup_limit_ns;
    schedule_signal_wait();
    start_children();
    check_startup();
    io_.run();
    return failure_.empty();
}

} // namespace factory::runtime
