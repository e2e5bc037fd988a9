#include "transportation/driver.hpp"

#include "common/clock.hpp"
#include "common/log.hpp"

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>

namespace factory::transportation {

namespace {
constexpr std::int64_t max_backoff_ns = 30'000'000'000;
}

driver::driver(shm::transport_stats& stats, std::vector<std::unique_ptr<exporter_instance>>& exporters,
               const factory_export_info& info, warehouse& store, dead_letter_writer& dead,
               delivery_policy policy, const std::atomic<std::uint32_t>& abort_flag)
    : stats_(stats), exporters_(exporters), info_(info), store_(store), dead_(dead), policy_(policy),
      abort_(abort_flag) {}

bool driver::sleep_or_abort(std::int64_t ns) const {
    std::int64_t until = mono_ns() + ns;
    while (abort_.load(std::memory_order_relaxed) == 0) {
        std::int64_t left = until - mono_ns();
        if (left <= 0) return false;
        std::this_thread::sleep_for(std::chrono::nanoseconds(std::min<std::int64_t>(left, 50'000'000)));
    }
    return true;
}

void driver::deliver(std::size_t e, std::uint32_t pclass, const std::vector<const factory_product*>& shelf) {
    auto& ex = *exporters_[e];
    auto& counts = stats_.exporters[e];
    factory_batch batch{pclass, static_cast<std::uint32_t>(shelf.size()), &info_.pclasses[pclass], shelf.data()};
    factory_error err{};
    std::int64_t backoff = policy_.backoff_ns;
    std::uint32_t retries = 0;
    std::string reason;
    for (;;) {
        err.message[0] = '\0';
        counts.batches.add();
        int rc = ex.export_batch(&batch, &err);
        if (rc == FACTORY_OK) {
            counts.exported.add(shelf.size());
            return;
        }
        std::string said = err.message[0] != '\0' ? err.message : "no reason given";
        if (rc == FACTORY_RETRY && retries < policy_.retries) {
            ++retries;
            counts.retries.add();
            log().warn("exporter {}: {} (pclass {}, {} products); retry {} of {} in {} ms", ex.name(), said,
                       info_.pclasses[pclass].name, shelf.size(), retries, policy_.retries, backoff / 1'000'000);
            if (sleep_or_abort(backoff)) {
                reason = "exporter " + ex.name() + ": run aborted while retrying: " + said;
                break;
            }
            backoff = std::min(backoff * 2, max_backoff_ns);
            continue;
        }
        reason = rc == FACTORY_RETRY
                     ? "exporter " + ex.name() + ": still failing after " + std::to_string(retries) + " retries: " + said
                     : "exporter " + ex.name() + ": " + said;
        break;
    }
    clean_ = false;
    log().error("{}; {} products of pclass {} go to the dead-letter output", reason, shelf.size(),
                info_.pclasses[pclass].name);
    for (const factory_product* p : shelf) dead_.product(reason, ex.name(), &info_.pclasses[pclass], *p);
    counts.dead_lettered.add(shelf.size());
}

void driver::round() {
    stats_.deliveries.add();
    for (std::uint32_t pc = 0; pc < store_.bays(); ++pc) {
        const auto& shelf = store_.shelf(pc);
        if (shelf.empty()) continue;
        for (std::size_t e = 0; e < exporters_.size(); ++e) deliver(e, pc, shelf);
        store_.clear(pc);
    }
    for (std::size_t e = 0; e < exporters_.size(); ++e) {
        factory_error err{};
        if (exporters_[e]->flush(&err) != FACTORY_OK) {
            clean_ = false;
            stats_.exporters[e].flush_failures.add();
            log().error("exporter {}: flush failed: {}", exporters_[e]->name(),
                        err.message[0] != '\0' ? err.message : "no reason given");
        }
    }
    stats_.warehouse.set(store_.products());
}

} // namespace factory::transportation
