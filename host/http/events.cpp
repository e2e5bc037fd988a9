#include "http/events.hpp"

#include "http/status.hpp"

#include <fmt/format.h>

namespace factory::http {

void event_log::note(double at, std::string text) {
    events_.push_back({at, std::move(text)});
    while (events_.size() > keep) events_.pop_front();
}

void event_log::observe(const status& s) {
    const auto& b = s.books;
    const double at = s.run_seconds;
    if (seen_) {
        if (phase_ != s.phase) note(at, fmt::format("the run is {}", s.phase));
        for (std::size_t i = 0; i < s.processes.size() && i < restarts_.size(); ++i)
            if (s.processes[i].restarts > restarts_[i])
                note(at, fmt::format("{} restarted (restart {})", s.processes[i].name, s.processes[i].restarts));
        for (std::size_t e = 0; e < b.exporters.size() && e < retries_.size(); ++e) {
            const auto& x = b.exporters[e];
            if (x.retries > retries_[e])
                note(at, fmt::format("exporter {} asked to retry {} time{}", x.name, x.retries - retries_[e],
                                     x.retries - retries_[e] == 1 ? "" : "s"));
            if (x.dead_lettered > export_dead_[e])
                note(at, fmt::format("exporter {}: {} products dead-lettered", x.name, x.dead_lettered - export_dead_[e]));
        }
        const std::uint64_t dead = b.dead_letters();
        if (dead > dead_letters_) note(at, fmt::format("{} new dead letters ({} in all)", dead - dead_letters_, dead));
    }
    seen_ = true;
    phase_ = s.phase;
    restarts_.clear();
    for (const auto& p : s.processes) restarts_.push_back(p.restarts);
    retries_.clear();
    export_dead_.clear();
    for (const auto& x : b.exporters) {
        retries_.push_back(x.retries);
        export_dead_.push_back(x.dead_lettered);
    }
    dead_letters_ = b.dead_letters();
}

} // namespace factory::http
