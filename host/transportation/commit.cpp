#include "transportation/commit.hpp"

#include "checkpoint/snapshot.hpp"
#include "checkpoint/paths.hpp"
#include "common/log.hpp"
#include "shm/stats_fields.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>

namespace factory::transportation {

std::uint64_t lane_alignment::complete(const std::vector<bool>& finished) const noexcept {
    std::uint64_t epoch = 0;
    for (std::size_t i = 0; i < epoch_.size(); ++i) {
        if (epoch_[i] == 0) {
            if (!finished[i]) return 0;
            continue;
        }
        if (epoch != 0 && epoch_[i] != epoch) return 0;
        epoch = epoch_[i];
    }
    return epoch;
}

bool lane_alignment::all_ok() const noexcept {
    return std::all_of(ok_.begin(), ok_.end(), [](bool b) { return b; });
}

void lane_alignment::clear() noexcept {
    std::fill(epoch_.begin(), epoch_.end(), 0);
    std::fill(ok_.begin(), ok_.end(), true);
}

namespace {

void report_failure(shm::segment& seg, std::uint64_t epoch, const std::string& why) {
    log().warn("checkpoint {}: {}; the run goes on, the previous checkpoint stays the one to resume from", epoch, why);
    auto& h = seg.header();
    const std::size_t n = std::min(why.size(), sizeof(h.checkpoint_problem) - 1);
    std::memcpy(h.checkpoint_problem, why.data(), n);
    h.checkpoint_problem[n] = '\0';
    h.checkpoint_failed.store(epoch, std::memory_order_release);
}

} // namespace

void commit_epoch(shm::segment& seg, const run_config& cfg, driver& truck,
                  std::vector<std::unique_ptr<exporter_instance>>& exporters, std::uint64_t epoch, bool lanes_ok) {
    truck.round();
    if (!lanes_ok) {
        report_failure(seg, epoch, "a workshop could not write its snapshot");
        return;
    }
    factory_error err{};
    for (auto& e : exporters) {
        if (!e->commits()) continue;
        err.message[0] = '\0';
        if (e->commit(epoch, &err) != FACTORY_OK) {
            report_failure(seg, epoch, "exporter " + e->name() + " could not commit: " +
                                           (err.message[0] != '\0' ? err.message : "no reason given"));
            return;
        }
    }
    try {
        const auto dir = epoch_dir(cfg.checkpoint_dir, epoch);
        std::filesystem::create_directories(dir);
        checkpoint::snapshot_writer out(dir / transport_snapshot_name(), checkpoint::part::transportation, 0, epoch, {});
        checkpoint::counters counts;
        shm::each_counter(seg.transport(), static_cast<unsigned>(cfg.exporters.size()),
                          [&](const std::string& name, shm::counter& c) { counts.emplace_back(name, c.get()); });
        out.set_counters(counts);
        out.finish();
    } catch (const std::exception& e) {
        report_failure(seg, epoch, e.what());
        return;
    }
    seg.header().checkpoint_committed.store(epoch, std::memory_order_release);
}

} // namespace factory::transportation
