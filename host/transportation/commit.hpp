// Transportation's part of a checkpoint. Barriers arrive on each lane in its own time; a lane whose
// barrier has come is read no further (aligned, as Flink's aligned checkpoints), so when every lane
// has barrier k, the warehouse holds exactly the products shipped before it. Then the driver
// delivers them, every exporter that can commits epoch k, transportation writes its counters to
// DIR/epoch-k/transport.snap, and tells the host, which completes the checkpoint (its manifest).
#pragma once

#include "common/run_config.hpp"
#include "shm/ring.hpp"
#include "shm/segment.hpp"
#include "transportation/driver.hpp"
#include "transportation/exporter_instance.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace factory::transportation {

class lane_alignment {
public:
    explicit lane_alignment(std::uint32_t lanes) : epoch_(lanes, 0), ok_(lanes, true) {}

    // Lane i's next record is barrier `epoch`, whose workshop snapshot succeeded or not.
    void arrived(std::uint32_t i, std::uint64_t epoch, bool ok) noexcept {
        epoch_[i] = epoch;
        ok_[i] = ok;
    }
    // True while lane i waits at a barrier: read nothing more from it.
    bool waiting(std::uint32_t i) const noexcept { return epoch_[i] != 0; }
    // The epoch every lane waits at (finished lanes count as waiting), or 0.
    std::uint64_t complete(const std::vector<bool>& finished) const noexcept;
    bool all_ok() const noexcept;
    void clear() noexcept;

private:
    std::vector<std::uint64_t> epoch_;
    std::vector<bool> ok_;
};

// Delivers, commits and reports epoch `epoch` (every lane at its barrier); the barriers are then
// popped from the lanes. Failures are reported to the host (checkpoint_failed) with a warning; the
// run goes on.
void commit_epoch(shm::segment& seg, const run_config& cfg, driver& truck,
                  std::vector<std::unique_ptr<exporter_instance>>& exporters, std::uint64_t epoch, bool lanes_ok);

} // namespace factory::transportation
