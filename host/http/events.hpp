// Recent events for the dashboard: what changed between two samples that an operator wants to see
// at a glance (a process restarted, an exporter retried or dead-lettered products, dead letters,
// the run's phase), newest last, the last `keep` of them. Derived from the samples' counters, so
// nothing on the data path reports events.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace factory::http {

struct status;

struct event {
    double run_seconds = 0;
    std::string text;
};

class event_log {
public:
    static constexpr std::size_t keep = 50;

    // Compares `s` with the sample seen before (nothing is an event on the first) and notes each
    // change. Host ops loop only.
    void observe(const status& s);
    const std::deque<event>& events() const noexcept { return events_; }

private:
    void note(double at, std::string text);

    bool seen_ = false;
    std::string phase_;
    std::vector<std::uint32_t> restarts_;
    std::vector<std::uint64_t> retries_, export_dead_;
    std::uint64_t dead_letters_ = 0;
    std::deque<event> events_;
};

} // namespace factory::http
