// One sample of the whole factory, taken by the host's ops loop once a second from the shared
// segment's counters (through ops::accounting, as the one-line report and --summary-json read
// them), with the rates since the previous sample and a short history for the dashboard's chart.
// /metrics, /api/status and the page are all rendered from one sample: what the figures say is the
// same everywhere, and no request formats anything.
#pragma once

#include "common/histogram.hpp"
#include "http/events.hpp"
#include "ops/accounting.hpp"
#include "shm/segment.hpp"

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace factory::http {

struct ring_status {
    std::uint64_t records = 0, bytes = 0, capacity_bytes = 0;
    double fill() const noexcept {
        return capacity_bytes == 0 ? 0 : static_cast<double>(bytes) / static_cast<double>(capacity_bytes);
    }
    // Flink's back-pressure levels: OK up to 10% full, LOW up to 50%, HIGH above.
    const char* level() const noexcept { return fill() <= 0.10 ? "OK" : fill() <= 0.50 ? "LOW" : "HIGH"; }
};

struct process_status {
    std::string name;        // "host", "purchasing", "workshop 1", "transportation"
    int pid = 0;
    bool alive = false;      // /proc had it
    double cpu_seconds = 0;
    std::uint64_t rss_bytes = 0;
    std::uint32_t restarts = 0;
};

struct history_point {
    double seconds = 0; // since the run began
    double purchased_per_s = 0, assembled_per_s = 0, exported_per_s = 0;
};

// Checkpoints of the run (--checkpoint), as the host's checkpoint keeper knows them. All zero, and
// `on` false, without --checkpoint. Counted since this incarnation of the factory began (a rollback
// starts a new one).
struct checkpoint_status {
    bool on = false;
    std::uint64_t taken = 0, failed = 0;
    std::uint64_t last_epoch = 0;      // the newest complete checkpoint: a crash returns there
    double last_unix_seconds = 0;      // when it completed (0: none in this incarnation)
    double last_duration_seconds = 0;  // from the host's request to its manifest
    std::uint64_t last_bytes = 0;
};

// Figures of the HTTP server itself.
struct server_counts {
    std::uint64_t requests = 0, refused_connections = 0, bad_requests = 0, timeouts = 0;
    std::uint64_t open_connections = 0;
};

struct status {
    double unix_seconds = 0;   // when the sample was taken
    double run_seconds = 0;    // since every process started (0 before)
    const char* phase = "starting"; // starting, running, stopping, aborting, ended
    bool ready = false;
    ops::accounting books;
    std::uint64_t wait_ns = 0, warehouse = 0, received = 0;
    std::vector<ring_status> lines, lanes;
    latency_summary latency; // every workshop's purchase-to-assembly latency, summed
    std::vector<process_status> processes;
    // Rates over the last interval, per second.
    double purchased_per_s = 0, assembled_per_s = 0, shipped_per_s = 0, received_per_s = 0;
    std::vector<double> workshop_per_s, exporter_per_s;
    std::deque<history_point> history; // the last history_seconds samples, oldest first
    std::deque<event> events;          // recent events, oldest first (events.hpp)
    server_counts server;
    checkpoint_status checkpoints;
};

// Whether the run is ready: every process started and purchasing runs, and the run is not ending.
// Reads three flags of the segment, so /readyz may ask on every request.
bool run_ready(shm::segment& seg) noexcept;

class status_sampler {
public:
    static constexpr std::size_t history_seconds = 300;

    status_sampler(shm::segment& seg, std::vector<std::string> exporter_names);
    // Reads every counter now. Host ops loop only.
    const status& sample(const server_counts& server);
    const status& last() const noexcept { return now_; }
    // Every process has ended: the phase says "ended" from now on.
    void mark_ended() noexcept { ended_ = true; }
    // The keeper's figures, for the next sample on.
    void set_checkpoints(const checkpoint_status& c) noexcept { now_.checkpoints = c; }

private:
    shm::segment& seg_;
    std::vector<std::string> exporter_names_;
    status now_;
    bool ended_ = false;
    event_log log_;
    std::int64_t last_mono_ns_ = 0;
    std::uint64_t last_purchased_ = 0, last_assembled_ = 0, last_shipped_ = 0, last_received_ = 0;
    std::vector<std::uint64_t> last_workshop_, last_exported_;
};

} // namespace factory::http
