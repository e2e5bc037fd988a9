#include "runtime/supervisor.hpp"

#include "cli/units.hpp"
#include "common/clock.hpp"
#include "common/log.hpp"
#include "ops/accounting.hpp"
#include "ops/losses.hpp"
#include "runtime/child_end.hpp"
#include "runtime/spawn.hpp"
#include "runtime/strays.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>

#include <sys/prctl.h>
#include <sys/wait.h>

namespace factory::runtime {

namespace {

constexpr std::int64_t startup_limit_ns = 60'000'000'000;
constexpr std::int64_t restart_window_ns = 60'000'000'000;
// Once the run stops, purchasing has this long to come back from its source (a source blocked on
// input that never comes, or reading an endless line); then it is killed and the run ends with
// what it purchased. A stop the user asked for should not wait for --hang-timeout.
constexpr std::int64_t stop_grace_ns = 5'000'000'000;

const char* signal_name(int signo) {
    switch (signo) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP";
    case SIGQUIT: return "SIGQUIT";
    default: return "a signal";
    }
}

http::checkpoint_status checkpoint_figures(const checkpoint_keeper& k) {
    http::checkpoint_status c;
    c.on = true;
    c.taken = k.taken();
    c.failed = k.failed();
    c.last_epoch = k.last();
    c.last_unix_seconds = static_cast<double>(k.last_unix_ns()) / 1e9;
    c.last_duration_seconds = static_cast<double>(k.last_ns()) / 1e9;
    c.last_bytes = k.last_bytes();
    return c;
}

} // namespace

supervisor::supervisor(shm::segment& seg, std::string segment_name, const run_config& cfg, std::int64_t duration_ns,
                       checkpoint_keeper* keeper)
    : seg_(seg), segment_name_(std::move(segment_name)), cfg_(cfg), duration_ns_(duration_ns),
      signals_(io_, SIGINT, SIGTERM, SIGCHLD), startup_timer_(io_), ops_timer_(io_), duration_timer_(io_),
      kill_timer_(io_), checkpoint_timer_(io_), checkpoint_poll_timer_(io_), keeper_(keeper),
      ops_(seg, make_logger(department::ops, "ops", cfg.quiet ? "warn" : cfg.log_level, false)) {
    // A hangup ends a run as SIGTERM does; SIGQUIT (Ctrl-\\) ends it at once.
    signals_.add(SIGHUP);
    signals_.add(SIGQUIT);
}

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
    if (signo == SIGQUIT) {
        abort_run("SIGQUIT");
        return;
    }
    // Only the user's signals count towards "again to end at once", not an ending the run
    // started by itself (end of input, --duration, a process given up on).
    if (++user_signals_ == 1 && running_) {
        if (stopping_) log().info("{}: the run is already ending (again to end at once)", signal_name(signo));
        request_stop(signal_name(signo));
    } else {
        abort_run(user_signals_ == 1 ? signal_name(signo) : (std::string("a second ") + signal_name(signo)).c_str());
    }
}

void supervisor::request_stop(const char* why) {
    if (ended_by_.empty()) ended_by_ = why;
    if (stopping_) return;
    stopping_ = true;
    stop_ns_ = mono_ns();
    log().info("{}: stopping purchasing, draining the lines (again to end at once)", why);
    seg_.header().stop_purchasing.store(1, std::memory_order_release);
}

void supervisor::abort_run(const char* why) {
    if (ended_by_.empty()) ended_by_ = why;
    if (aborting_) return;
    aborting_ = true;
    if (!stopping_) stop_ns_ = mono_ns();
    stopping_ = true;
    log().warn("{}: ending at once", why);
    auto& h = seg_.header();
    h.stop_purchasing.store(1, std::memory_order_release);
    h.phase.store(static_cast<std::uint32_t>(shm::run_phase::aborting), std::memory_order_release);
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
        // Anything else was a descendant a plugin started, adopted by this subreaper: reaped here,
        // and any still alive at the end are killed (strays.hpp).
        for (auto& c : children_) {
            if (c.pid != pid || c.exited) continue;
            c.exited = true;
            c.status = status;
            on_end(c);
        }
    }
    if (all_exited()) {
        seconds_ = static_cast<double>(mono_ns() - started_ns_) * 1e-9;
        if (!http_ || !running_ || rolled_back_ || !http_->linger([this] { io_.stop(); })) io_.stop();
    }
}

void supervisor::on_end(child_record& c) {
    auto& pb = seg_.process(slot_of(c));
    const auto state = static_cast<shm::child_state>(pb.state.load(std::memory_order_acquire));
    const std::string who = role_name(c.what, c.index);
    switch (classify_end(c.what, c.status, state)) {
    case child_end::finished:
        log().debug("{} (pid {}) finished", who, c.pid);
        return;
    case child_end::finished_unclean:
        // Ended in order after a failure it reported itself (a source's input error, an exporter's
        // dead letters): not a crash, nothing to restart, but the run is not clean.
        children_clean_ = false;
        if (running_ && !aborting_) log().warn("{} (pid {}) ended with {}", who, c.pid, describe_status(c.status));
        return;
    case child_end::refused:
        children_clean_ = false;
        // At start-up, check_startup refuses the run with the plugin's message. During the run it
        // is a restarted process whose plugin would not open again: a death like any other, so
        // restarts stay bounded and a given-up workshop still drains its line.
        if (running_ && !aborting_) {
            log().error("{} (pid {}) could not open its plugin again: {}", who, c.pid, pb.message);
            on_death(c, std::string("its plugin failing to open (") + pb.message + ")");
        }
        return;
    case child_end::died:
        children_clean_ = false;
        if (running_ && !aborting_) on_death(c, c.kill_reason.empty() ? describe_status(c.status) : c.kill_reason);
        return;
    }
}

void supervisor::on_death(child_record& c, const std::string& how) {
    children_clean_ = false;
    if (keeper_ != nullptr) {
        roll_back(c, how);
        return;
    }
    if (c.what == role::purchasing) {
        purchasing_died(how);
        return;
    }
    auto& pb = seg_.process(slot_of(c));
    if (c.what == role::workshop) {
        // The workers died with the process: what they held is lost, and counted.
        const auto loss = ops::settle_workshop_death(seg_, c.index);
        log().error("{} (pid {}) died of {}: {} workers holding {} materials are lost", role_name(c.what, c.index),
                    c.pid, how, loss.workers, loss.materials);
    } else {
        // Products taken off the lanes but not yet delivered were in the dead process's warehouse.
        const std::uint64_t lost = ops::settle_transport_death(seg_, cfg_.exporters.size());
        log().error("transportation (pid {}) died of {}: {} products in its warehouse are lost", c.pid, how, lost);
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

void supervisor::roll_back(child_record& c, const std::string& how) {
    const std::string who = role_name(c.what, c.index);
    rollback_reason_ = who + " died of " + how;
    // A SIGKILL the host did not send came from outside (an operator, the OOM killer): the material
    // in hand is not to blame, and the rollback replays it. Any other death, or a hang the host
    // ended, quarantines it, so no replay hands it to the blueprint again.
    const bool killed_from_outside = c.kill_reason.empty() && WIFSIGNALED(c.status) && WTERMSIG(c.status) == SIGKILL;
    if (c.what == role::workshop && !killed_from_outside) {
        dead_letter_writer dead(cfg_.dead_letter_dir, "host");
        if (keeper_->quarantine(c.index, rollback_reason_, dead)) {
            log().warn("{}: the material it died on is quarantined", who);
            // Counted in this incarnation's books too, which the summary reads if the host gives up
            // now; a replay starts from the checkpoint's counts and counts the skip instead.
            seg_.workshop(c.index).quarantined.add(1);
        }
    }
    log().error("{} (pid {}) died of {}: ending every process to roll the factory back to checkpoint {} and replay "
                "from there",
                who, c.pid, how, keeper_->last());
    rolled_back_ = true;
    aborting_ = true;
    stopping_ = true;
    auto& h = seg_.header();
    h.stop_purchasing.store(1, std::memory_order_release);
    h.abort_now.store(1, std::memory_order_release);
    // Their state is thrown away: nothing to wait for.
    for (auto& other : children_)
        if (!other.exited && other.pid > 0) ::kill(other.pid, SIGKILL);
}

void supervisor::schedule_checkpoints() {
    // A source that keeps its workers' state takes checkpoints of its own (host_checkpoint_now, at
    // a rebalance): the keeper looks for them all along, not only after its own requests.
    if (cfg_.source_keeps_state && !polling_always_) {
        polling_always_ = true;
        poll_checkpoints();
    }
    checkpoint_timer_.expires_after(std::chrono::nanoseconds(cfg_.checkpoint_every_ns));
    checkpoint_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopping_ || all_exited()) return;
        keeper_->request();
        poll_checkpoints();
        schedule_checkpoints();
    });
}

void supervisor::poll_checkpoints() {
    // Often while one is on its way (its manifest completes it); the final one is completed after
    // the run (ceo.cpp).
    if (aborting_ || all_exited()) return;
    const bool busy = keeper_->poll();
    if (!busy && !polling_always_) return;
    checkpoint_poll_timer_.expires_after(std::chrono::milliseconds(busy ? 2 : 10));
    checkpoint_poll_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) poll_checkpoints();
    });
}

void supervisor::purchasing_died(const std::string& how) {
    // A source cannot resume where it stopped (its position died with it), so purchasing is not
    // restarted: the run ends with what was purchased, and the lines are closed on its behalf.
    const std::uint64_t lost = ops::settle_purchasing_death(seg_);
    log().error("purchasing died of {}: the run ends with what was purchased ({} materials purchased but never "
                "put on a line are lost)",
                how, lost);
    if (!stopping_) stop_ns_ = mono_ns();
    if (ended_by_.empty()) ended_by_ = "purchasing died";
    stopping_ = true;
    seg_.header().stop_purchasing.store(1, std::memory_order_release);
    for (std::uint32_t i = 0; i < seg_.workshops(); ++i) {
        seg_.line(i)->closed.store(1, std::memory_order_release);
        seg_.line_bell(i).notify();
    }
}

std::int64_t supervisor::hang_limit_ns(const child_record& c) const {
    // Purchasing may wait on its source for as long as input takes: it hangs only when it does not
    // come back once the run stops. Workshops and transportation beat while they work or idle
    // (an exporter stuck in a hook is cut off by transportation itself: exporter_instance.hpp).
    if (c.what == role::purchasing) return stopping_ ? stop_grace_ns : 0;
    return cfg_.hang_timeout_ns;
}

void supervisor::check_hangs() {
    if (aborting_) return;
    std::int64_t now = mono_ns();
    for (auto& c : children_) {
        if (c.exited || !c.kill_reason.empty()) continue;
        std::uint64_t beat = seg_.process(slot_of(c)).heartbeat.get();
        if (beat != c.last_heartbeat || c.heartbeat_seen_ns == 0) {
            c.last_heartbeat = beat;
            c.heartbeat_seen_ns = now;
            continue;
        }
        const std::int64_t limit = hang_limit_ns(c);
        if (limit <= 0) continue;
        // Progress is measured from the stop for purchasing: it may have waited on input before.
        const std::int64_t since = c.what == role::purchasing ? std::max(c.heartbeat_seen_ns, stop_ns_) : c.heartbeat_seen_ns;
        if (now - since < limit) continue;
        const std::string took = cli::format_duration(limit);
        if (c.what == role::purchasing) {
            c.kill_reason = "not returning from its source within " + took + " of the stop";
            log().error("purchasing (pid {}) has not returned from source {} {} after the stop; killing it", c.pid,
                        cfg_.source.name, took);
        } else {
            c.kill_reason = "a hang (no progress for " + took + ")";
            log().error("{} (pid {}) has made no progress for {}; killing it", role_name(c.what, c.index), c.pid, took);
        }
        ::kill(c.pid, SIGKILL);
    }
}

void supervisor::check_dead_letters() {
    if (cfg_.max_dead_letters == UINT64_MAX || stopping_) return;
    std::vector<std::string> names;
    for (const auto& e : cfg_.exporters) names.push_back(e.name);
    const auto books = ops::accounting::read(seg_, names);
    if (books.dead_letters_made() > cfg_.max_dead_letters)
        request_stop("more dead letters than --max-dead-letters allows");
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
        if (keeper_ != nullptr) {
            try {
                keeper_->started();
            } catch (const std::exception& e) {
                failure_ = e.what();
                abort_run("the first checkpoint could not be written");
                return;
            }
        }
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
                if (!ec) request_stop("--duration");
            });
        }
        if (keeper_ != nullptr) schedule_checkpoints();
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
    if (http_) {
        if (keeper_) http_->set_checkpoints(checkpoint_figures(*keeper_));
        http_->tick(); // also once as the run starts, so /api/status says so at once
    }
    ops_timer_.expires_after(std::chrono::seconds(1));
    ops_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || all_exited()) return;
        if (!cfg_.quiet) ops_.tick();
        check_hangs();
        check_dead_letters();
        on_ops();
    });
}

bool supervisor::run() {
    // Processes a plugin starts (and leaves behind) are re-parented to the host, not to init, so
    // the run can end them with itself (strays.hpp).
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    started_ns_ = mono_ns();
    startup_deadline_ns_ = started_ns_ + startup_limit_ns;
    try {
        http_ = http::endpoint::open(io_, seg_, cfg_);
    } catch (const std::exception& e) {
        failure_ = e.what();
        return false;
    }
    schedule_signal_wait();
    start_children();
    check_startup();
    io_.run();
    if (std::size_t n = end_strays(); n != 0)
        log().warn("a plugin left {} process{} running after its department ended; ended {} with the run", n,
                   n == 1 ? "" : "es", n == 1 ? "it" : "them");
    return failure_.empty();
}

} // namespace factory::runtime
