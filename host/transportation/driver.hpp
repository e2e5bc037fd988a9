// The driver: on each round (every --flush, when the warehouse is full, and at the end) it hands
// each pclass's products to every exporter and then asks it to flush, honouring its answers:
// retry is tried again with a doubling backoff (from --retry-backoff, at most 30 s) up to
// --export-retries times; error, or retries exhausted, sends the batch to the dead-letter output
// with the exporter's reason. Products count as exported only once the exporter has flushed them. While the driver waits, the
// lanes fill and the workshops wait: backpressure, never a silent drop.
#pragma once

#include "common/dead_letter.hpp"
#include "shm/stats.hpp"
#include "transportation/exporter_instance.hpp"
#include "transportation/warehouse.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <memory>
#include <vector>

namespace factory::transportation {

struct delivery_policy {
    std::uint32_t retries = 5;
    std::int64_t backoff_ns = 100'000'000;
};

// How the driver waits out a backoff of `ns` nanoseconds: true when the run was aborted meanwhile
// (the driver then gives up on the batch). The default sleeps on the monotonic clock, looking at
// the abort flag every 50 ms; tests pass a clock of their own.
using backoff_wait = std::function<bool(std::int64_t ns)>;

class driver {
public:
    driver(shm::transport_stats& stats, std::vector<std::unique_ptr<exporter_instance>>& exporters,
           const factory_export_info& info, warehouse& store, dead_letter_writer& dead,
           delivery_policy policy, const std::atomic<std::uint32_t>& abort_flag, backoff_wait wait = {});

    // The default wait beats this counter (the process's heartbeat) while it waits out a backoff:
    // transportation waiting for an exporter to recover is not hung.
    void beat_while_waiting(shm::counter* heartbeat) noexcept { heartbeat_ = heartbeat; }

    // One round: every bay to every exporter, then flush them; the warehouse is empty afterwards.
    void round();
    // False once an exporter failed to take products or to flush: the run is not clean.
    bool clean() const noexcept { return clean_; }

private:
    using shelf_t = std::vector<const factory_product*>;
    // Calls `attempt` until the exporter answers ok (true); error, or retry more than the policy
    // allows, gives false with `reason`.
    bool persist(std::size_t e, const std::string& what, const std::function<int(factory_error*)>& attempt,
                 std::string& reason);
    void dead_letter(std::size_t e, std::uint32_t pclass, const shelf_t& shelf, const std::string& reason);
    bool sleep_or_abort(std::int64_t ns) const;

    shm::transport_stats& stats_;
    std::vector<std::unique_ptr<exporter_instance>>& exporters_;
    const factory_export_info& info_;
    warehouse& store_;
    dead_letter_writer& dead_;
    delivery_policy policy_;
    const std::atomic<std::uint32_t>& abort_;
    backoff_wait wait_;
    shm::counter* heartbeat_ = nullptr;
    bool clean_ = true;
};

} // namespace factory::transportation
