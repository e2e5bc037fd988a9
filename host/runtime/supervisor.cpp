#include "runtime/supervisor.hpp"

#include "common/clock.hpp"
#include "common/log.hpp"
#include "runtime/spawn.hpp"
#include "shm/lane_publish.hpp"

#include <chrono>
#include <algorithm>
#include <csignal>
#include <cstring>

#include <sys/wait.h>

namespace factory::runtime {

namespace {

constexpr std::int64_t startup_limit_ns = 60'000'000'000;
constexpr std::int64_t restart_window_ns = 60'000'000'000;
// Exit codes with which a child ends a run in order after a failure it reported itself:
// a source's input error (purchasing, 5) or exporters that dead-lettered products
// (transportation, 4); 2 is a refusal at start-up. Any other end during a run is a death.
bool reported_failure(role r, int code) {
    return code == 2 || (r == role::purchasing && code == 5) || (r == role::transportation && code == 4);
}

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
    // Only the user's signals count towards "again to end at once", not an ending the run
    // started by itself (end of input, --duration, a process given up on).
    if (++user_signals_ == 1 && running_) {
        if (stopping_) log().info("{}: the run is already ending (again to end at once)", signo == SIGINT ? "SIGINT" : "SIGTERM");
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

std::uint32_t supervisor::slot_of(const child_record& c) const {
    return c.what == role::purchasing      ? shm::purchasing_slot
           : c.what == role::transportation ? shm::transport_slot
                                            : shm::workshop_slot(c.index);
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
            bool crashed = !WIFEXITED(status);
            bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
            if (clean) {
                log().debug("{} (pid {}) finished", role_name(c.what, c.index), pid);
            } else if (running_ && !aborting_ && (crashed || !reported_failure(c.what, WEXITSTATUS(status)))) {
                on_death(c, c.kill_reason.empty() ? describe_status(status) : c.kill_reason);
            } else {
                // Refused to start, or ended with a failure it reported itself (an exporter's dead
                // letters, a source's input error): not a crash, nothing to restart.
                children_clean_ = false;
                if (running_ && !aborting_)
                    log().warn("{} (pid {}) ended with {}", role_name(c.what, c.index), pid, describe_status(status));
            }
        }
    }
    if (all_exited()) {
        seconds_ = static_cast<double>(mono_ns() - started_ns_) * 1e-9;
        io_.stop();
    }
}

void supervisor::on_death(child_record& c, const std::string& how) {
    children_clean_ = false;
    if (c.what == role::purchasing) {
        purchasing_died(how);
        return;
    }
    auto& pb = seg_.process(slot_of(c));
    if (c.what == role::workshop) {
        // The workers died with the process: what they held is lost, and counted. First the
        // counts of a lane publish it may have died in (lane_publish.hpp).
        auto& w = seg_.workshop(c.index);
        shm::finish_publish(w, *seg_.lane(c.index));
        const std::uint64_t held = w.assembled.get() - w.handed_over.get() - w.lost_materials.get();
        w.lost_workers.add(w.roster.get());
        w.lost_materials.add(held);
        log().error("{} (pid {}) died of {}: {} workers holding {} materials are lost", role_name(c.what, c.index),
                    c.pid, how, w.roster.get(), held);
        w.roster.set(0);
    } else {
        // Products taken off the lanes but not yet delivered were in the dead process's warehouse.
        // Taken off = released by the lanes: the lanes' own count, which a death between a release
        // and the `received` counter cannot make disagree with what the next process will find.
        auto& t = seg_.transport();
        std::uint64_t taken = 0;
        for (std::uint32_t i = 0; i < seg_.workshops(); ++i)
            taken += seg_.lane(i)->records_released.load(std::memory_order_acquire);
        t.received.set(taken);
        std::uint64_t lost = 0; // by this death (x.lost counts every death so far)
        for (std::size_t e = 0; e < cfg_.exporters.size(); ++e) {
            auto& x = t.exporters[e];
            const std::uint64_t before = x.lost.get();
            x.lost.set(taken - x.exported.get() - x.dead_lettered.get());
            lost = std::max(lost, x.lost.get() - before);
        }
        log().error("transportation (pid {}) died of {}: {} products in its warehouse are lost", c.pid, how, lost);
        t.warehouse.set(0);
    }
    // "Keeps crashing" is a rate, as supervisors usually count it: more than --max-restarts deaths
    // within one minute. A long run that loses a process now and then goes on.
    std::int64_t now = mono_ns();
    c.deaths.push_back(now);
    while (!c.deaths.empty() && now - c.deaths.front() > restart_window_ns) c.deaths.pop_front();
    std::size_t n = c.deaths.size();
    if (n > cfg_.max_restarts) {
        if (c.what == role::workshop) {
            log().error("{} died {} times within a minute; giving up on it: the rest of its line goes to the "
                        "dead-letter output and the run ends (raise --max-restarts to allow more)",
                        role_name(c.what, c.index), n);
            pb.given_up.store(1, std::memory_order_release);
            request_stop("a workshop was given up on");
        } else {
            log().error("transportation died {} times within a minute; the run ends without it (raise "
                        "--max-restarts to allow more)", n);
            abort_run("transportation was given up on");
            return;
        }
    }
    restart(c, how);
}

void supervisor::restart(child_record& c, const std::string& how) {
    auto& pb = seg_.process(slot_of(c));
    std::string text = role_name(c.what, c.index) + " died of " + how;
    std::size_t len = std::min(text.size(), sizeof(pb.last_death) - 1);
    std::memcpy(pb.last_death, text.data(), len);
    pb.last_death[len] = '\0';
    pb.restarts.store(pb.restarts.load() + 1, std::memory_order_release);
    pb.state.store(static_cast<std::uint32_t>(shm::child_state::starting), std::memory_order_release);
    ++restarts_;
    c.exited = false;
    c.kill_reason.clear();
    c.heartbeat_seen_ns = mono_ns();
    try {
        c.pid = spawn_child(c.what, c.index, segment_name_);
        log().warn("restarted {} as pid {} (restart {} of at most {})", role_name(c.what, c.index), c.pid,
                   pb.restarts.load(), cfg_.max_restarts);
    } catch (const std::exception& e) {
        c.exited = true;
        log().error("{}", e.what());
        abort_run("a process could not be restarted");
    }
}

void supervisor::purchasing_died(const std::string& how) {
    // A source cannot resume where it stopped (its position died with it), so purchasing is not
    // restarted: the run ends with what was purchased, and the lines are closed on its behalf.
    auto& p = seg_.purchasing();
    // Put on a line = published by the line: the line's own count, which a death between a publish
    // and the `pushed` counter cannot make disagree with what the workshops will assemble.
    std::uint64_t pushed = 0;
    for (std::uint32_t i = 0; i < seg_.workshops(); ++i) {
        const std::uint64_t on_line = seg_.line(i)->records_published.load(std::memory_order_acquire);
        seg_.line_info(i).pushed.set(on_line);
        pushed += on_line;
    }
    p.lost.set(p.purchased.get() - p.rejected.get() - pushed);
    log().error("purchasing died of {}: the run ends with what was purchased ({} materials purchased but never "
                "put on a line are lost)",
                how, p.lost.get());
    stopping_ = true;
    seg_.header().stop_purchasing.store(1, std::memory_order_release);
    for (std::uint32_t i = 0; i < seg_.workshops(); ++i) {
        seg_.line(i)->closed.store(1, std::memory_order_release);
        seg_.line_bell(i).notify();
    }
}

void supervisor::check_hangs() {
    if (cfg_.hang_timeout_ns <= 0 || aborting_) return;
    std::int64_t now = mono_ns();
    for (auto& c : children_) {
        if (c.what != role::workshop || c.exited || !c.kill_reason.empty()) continue;
        std::uint64_t beat = seg_.process(slot_of(c)).heartbeat.get();
        if (beat != c.last_heartbeat || c.heartbeat_seen_ns == 0) {
            c.last_heartbeat = beat;
            c.heartbeat_seen_ns = now;
            continue;
        }
        if (now - c.heartbeat_seen_ns >= cfg_.hang_timeout_ns) {
            c.kill_reason = "a hang (no progress for " + std::to_string(cfg_.hang_timeout_ns / 1'000'000'000) + " s)";
            log().error("{} (pid {}) has made no progress for {} s; killing it", role_name(c.what, c.index), c.pid,
                        cfg_.hang_timeout_ns / 1'000'000'000);
            ::kill(c.pid, SIGKILL);
        }
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
        auto& pb = seg_.process(slot_of(c));
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
        log().info("running: {} workshop{}, source {}, blueprint {}, {} exporter{}; clock: {}", cfg_.workshops,
                   cfg_.workshops == 1 ? "" : "s", cfg_.source.name, cfg_.blueprint.name, cfg_.exporters.size(),
                   cfg_.exporters.size() == 1 ? "" : "s", cfg_.clock_choice);
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
        check_hangs();
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
