#include "http/status.hpp"

#include "common/clock.hpp"
#include "http/proc_usage.hpp"

#include <chrono>
#include <utility>

#include <unistd.h>

namespace factory::http {

namespace {

ring_status ring_of(const shm::ring_control* ring) {
    ring_status r;
    r.records = shm::backlog_records(ring);
    r.bytes = shm::backlog_bytes(ring);
    r.capacity_bytes = ring->capacity;
    return r;
}

const char* phase_of(shm::segment& seg) {
    auto& h = seg.header();
    switch (static_cast<shm::run_phase>(h.phase.load(std::memory_order_acquire))) {
    case shm::run_phase::starting: return "starting";
    case shm::run_phase::aborting: return "aborting";
    case shm::run_phase::running: break;
    }
    return h.stop_purchasing.load(std::memory_order_acquire) != 0 ? "stopping" : "running";
}

double per_second(std::uint64_t now, std::uint64_t before, double dt) {
    return dt > 0 && now >= before ? static_cast<double>(now - before) / dt : 0;
}

process_status process_of(std::string name, int pid, std::uint32_t restarts) {
    process_status p;
    p.name = std::move(name);
    p.pid = pid;
    p.restarts = restarts;
    if (auto u = read_proc_usage(pid)) {
        p.alive = true;
        p.cpu_seconds = u->cpu_seconds;
        p.rss_bytes = u->rss_bytes;
    }
    return p;
}

} // namespace

bool run_ready(shm::segment& seg) noexcept {
    auto& h = seg.header();
    return static_cast<shm::run_phase>(h.phase.load(std::memory_order_acquire)) == shm::run_phase::running &&
           h.stop_purchasing.load(std::memory_order_acquire) == 0 &&
           static_cast<shm::child_state>(seg.process(shm::purchasing_slot).state.load(std::memory_order_acquire)) ==
               shm::child_state::running;
}

status_sampler::status_sampler(shm::segment& seg, std::vector<std::string> exporter_names)
    : seg_(seg), exporter_names_(std::move(exporter_names)), last_mono_ns_(mono_ns()),
      last_workshop_(seg.workshops(), 0), last_exported_(exporter_names_.size(), 0) {}

const status& status_sampler::sample(const server_counts& server) {
    const std::int64_t mono = mono_ns();
    const double dt = static_cast<double>(mono - last_mono_ns_) * 1e-9;
    last_mono_ns_ = mono;
    status& s = now_;
    s.unix_seconds = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    const std::int64_t started = seg_.header().started_mono_ns.load(std::memory_order_relaxed);
    s.run_seconds = started > 0 && mono > started ? static_cast<double>(mono - started) * 1e-9 : 0;
    s.phase = ended_ ? "ended" : phase_of(seg_);
    s.ready = !ended_ && run_ready(seg_);
    s.books = ops::accounting::read(seg_, exporter_names_);
    s.server = server;
    auto& p = seg_.purchasing();
    s.wait_ns = p.wait_ns.get();
    auto& t = seg_.transport();
    s.warehouse = t.warehouse.get();
    s.received = t.received.get();
    s.lines.clear();
    s.lanes.clear();
    s.latency = latency_summary{};
    for (std::uint32_t i = 0; i < seg_.workshops(); ++i) {
        s.lines.push_back(ring_of(seg_.line(i)));
        s.lanes.push_back(ring_of(seg_.lane(i)));
        s.latency.add(seg_.workshop(i).latency);
    }

    s.processes.clear();
    s.processes.push_back(process_of("host", static_cast<int>(::getpid()), 0));
    const auto child = [&](std::string name, std::uint32_t slot) {
        auto& pb = seg_.process(slot);
        s.processes.push_back(process_of(std::move(name), pb.pid.load(std::memory_order_relaxed),
                                         pb.restarts.load(std::memory_order_relaxed)));
    };
    child("purchasing", shm::purchasing_slot);
    for (std::uint32_t i = 0; i < seg_.workshops(); ++i) child("workshop " + std::to_string(i + 1), shm::workshop_slot(i));
    child("transportation", shm::transport_slot);

    // Assembled per workshop as the accounting counts it: what lived to be fired or handed over.
    std::uint64_t assembled = 0;
    s.workshop_per_s.assign(s.books.workshops.size(), 0);
    for (std::size_t i = 0; i < s.books.workshops.size() && i < last_workshop_.size(); ++i) {
        const std::uint64_t a = s.books.workshops[i].assembled;
        s.workshop_per_s[i] = per_second(a, last_workshop_[i], dt);
        last_workshop_[i] = a;
        assembled += a;
    }
    s.exporter_per_s.assign(s.books.exporters.size(), 0);
    for (std::size_t e = 0; e < s.books.exporters.size() && e < last_exported_.size(); ++e) {
        s.exporter_per_s[e] = per_second(s.books.exporters[e].exported, last_exported_[e], dt);
        last_exported_[e] = s.books.exporters[e].exported;
    }
    s.purchased_per_s = per_second(s.books.purchased, last_purchased_, dt);
    s.assembled_per_s = per_second(assembled, last_assembled_, dt);
    s.shipped_per_s = per_second(s.books.shipped, last_shipped_, dt);
    s.received_per_s = per_second(s.received, last_received_, dt);
    last_purchased_ = s.books.purchased;
    last_assembled_ = assembled;
    last_shipped_ = s.books.shipped;
    last_received_ = s.received;

    if (s.run_seconds > 0) {
        s.history.push_back({s.run_seconds, s.purchased_per_s, s.assembled_per_s,
                             s.exporter_per_s.empty() ? 0 : s.exporter_per_s.front()});
        while (s.history.size() > history_seconds) s.history.pop_front();
    }
    log_.observe(s);
    s.events = log_.events();
    return s;
}

} // namespace factory::http
