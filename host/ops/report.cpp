#include "ops/report.hpp"

#include "common/clock.hpp"

#include <fmt/format.h>

namespace factory::ops {

namespace {

std::string rate(double per_s) {
    if (per_s >= 1e6) return fmt::format("{:.2f}M/s", per_s / 1e6);
    if (per_s >= 1e4) return fmt::format("{:.1f}k/s", per_s / 1e3);
    return fmt::format("{:.0f}/s", per_s);
}

} // namespace

report::report(shm::segment& seg, std::shared_ptr<spdlog::logger> out)
    : seg_(seg), out_(std::move(out)), last_ns_(mono_ns()) {}

void report::tick() {
    std::int64_t now = mono_ns();
    double dt = static_cast<double>(now - last_ns_) * 1e-9;
    if (dt <= 0) return;
    last_ns_ = now;
    std::uint64_t purchased = seg_.purchasing().purchased.get();
    std::uint64_t shipped = 0, dead = seg_.purchasing().rejected.get();
    std::string lines, rosters;
    for (std::uint32_t i = 0; i < seg_.workshops(); ++i) {
        auto& w = seg_.workshop(i);
        shipped += w.shipped.get();
        dead += w.failed.get() + w.quarantined.get() + w.refused.get();
        if (i != 0) {
            lines += ' ';
            rosters += ' ';
        }
        lines += std::to_string(shm::backlog_records(seg_.line(i)));
        rosters += std::to_string(w.roster.get());
    }
    auto& t = seg_.transport();
    std::uint64_t exported = t.exporters[0].exported.get();
    for (unsigned e = 0; e < shm::max_exporters; ++e) dead += t.exporters[e].dead_lettered.get();
    out_->info("purchased {} | lines [{}] | rosters [{}] | shipped {} | warehouse {} | exported {} | dead letters {}",
               rate(static_cast<double>(purchased - last_purchased_) / dt), lines, rosters,
               rate(static_cast<double>(shipped - last_shipped_) / dt), t.warehouse.get(),
               rate(static_cast<double>(exported - last_exported_) / dt), dead);
    last_purchased_ = purchased;
    last_shipped_ = shipped;
    last_exported_ = exported;
}

} // namespace factory::ops
