#include "transportation/driver.hpp"

#include "common/clock.hpp"
#include "common/log.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <utility>

namespace factory::transportation {

namespace {
constexpr std::int64_t max_backoff_ns = 30'000'000'000;
}

driver::driver(shm::transport_stats& stats, std::vector<std::unique_ptr<exporter_instance>>& exporters,
               const factory_export_info& info, warehouse& store, dead_letter_writer& dead,
               delivery_policy policy, const std::atomic<std::uint32_t>& abort_flag, backoff_wait wait)
    : stats_(stats), exporters_(exporters), info_(info), store_(store), dead_(dead), policy_(policy),
      abort_(abort_flag), wait_(std::move(wait)) {
    if (!wait_) wait_ = [this](std::int64_t ns) { return sleep_or_abort(ns); };
}

bool driver::sleep_or_abort(std::int64_t ns) const {
    std::int64_t until = mono_ns() + ns;
    while (abort_.load(std::memory_order_relaxed) == 0) {
        if (heartbeat_ != nullptr) heartbeat_->add();
        std::int64_t left = until - mono_ns();
        if (left <= 0) return false;
        std::this_thread::sleep_for(std::chrono::nanoseconds(std::min<std::int64_t>(left, 50'000'000)));
    }
    return true;
}

bool driver::persist(std::size_t e, const std::string& what, const std::function<int(factory_error*)>& attempt,
                     std::string& reason) {
    auto& ex = *exporters_[e];
    auto& counts = stats_.exporters[e];
    factory_error err{};
    std::int64_t backoff = policy_.backoff_ns;
    for (std::uint32_t retries = 0;; ++retries) {
        err.message[0] = '\0';
        int rc = attempt(&err);
        if (rc == FACTORY_OK) return true;
        std::string said = err.message[0] != '\0' ? err.message : "no reason given";
        if (rc != FACTORY_RETRY) {
            reason = "exporter " + ex.name() + ": " + said;
            return false;
        }
        if (retries == policy_.retries) {
            reason = "exporter " + ex.name() + ": still failing after " + std::to_string(retries) + " retries: " + said;
            return false;
        }
        counts.retries.add();
        log().warn("exporter {}: {} ({}); retry {} of {} in {} ms", ex.name(), said, what, retries + 1, policy_.retries,
                   backoff / 1'000'000);
        if (wait_(backoff)) {
            reason = "exporter " + ex.name() + ": run aborted while retrying: " + said;
            return false;
        }
        backoff = std::min(backoff * 2, max_backoff_ns);
    }
}

void driver::dead_letter(std::size_t e, std::uint32_t pclass, const shelf_t& shelf, const std::string& reason) {
    clean_ = false;
    log().error("{}; {} products of pclass {} go to the dead-letter output", reason, shelf.size(),
                info_.pclasses[pclass].name);
    std::uint64_t unwritten = 0;
    for (const factory_product* p : shelf)
        if (!dead_.product(reason, exporters_[e]->name(), &info_.pclasses[pclass], *p)) ++unwritten;
    stats_.exporters[e].unwritten.add(unwritten); // first: dead_lettered is read as including it
    stats_.exporters[e].dead_lettered.add(shelf.size());
}

void driver::round() {
    stats_.deliveries.add();
    for (std::size_t e = 0; e < exporters_.size(); ++e) {
        auto& ex = *exporters_[e];
        std::vector<std::uint32_t> taken;
        for (std::uint32_t pc = 0; pc < store_.bays(); ++pc) {
            const shelf_t& shelf = store_.shelf(pc);
            if (shelf.empty()) continue;
            factory_batch batch{sizeof(factory_batch), pc, static_cast<std::uint32_t>(shelf.size()), 0,
                                &info_.pclasses[pc], shelf.data()};
            std::string reason;
            std::string what = "pclass " + std::string(info_.pclasses[pc].name) + ", " + std::to_string(shelf.size()) +
                               " products";
            auto attempt = [&](factory_error* err) {
                stats_.exporters[e].batches.add(); // every call, retries included
                return ex.export_batch(&batch, err);
            };
            if (persist(e, what, attempt, reason))
                taken.push_back(pc);
            else
                dead_letter(e, pc, shelf, reason);
        }
        // Taken is not yet delivered: an exporter may hold products in a buffer until it flushes.
        // Only a successful flush counts them as exported; a flush that fails for good sends them
        // to the dead-letter output, so no product is counted as exported and then lost.
        std::string reason;
        if (persist(e, "flush", [&](factory_error* err) { return ex.flush(err); }, reason)) {
            for (std::uint32_t pc : taken) stats_.exporters[e].exported.add(store_.shelf(pc).size());
        } else {
            stats_.exporters[e].flush_failures.add();
            for (std::uint32_t pc : taken) dead_letter(e, pc, store_.shelf(pc), reason + " (at flush)");
        }
    }
    for (std::uint32_t pc = 0; pc < store_.bays(); ++pc) store_.clear(pc);
    stats_.warehouse.set(store_.products());
}

} // namespace factory::transportation
