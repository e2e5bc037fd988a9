#include "transportation/transportation.hpp"

#include "common/clock.hpp"
#include "common/dead_letter.hpp"
#include "common/log.hpp"
#include "plugins/loader.hpp"
#include "shm/backoff.hpp"
#include "shm/barrier.hpp"
#include "shm/checkpoint_frame.hpp"
#include "transportation/commit.hpp"
#include "transportation/driver.hpp"
#include "transportation/exporter_instance.hpp"
#include "transportation/warehouse.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

namespace factory::transportation {

namespace {

constexpr std::size_t batch_products = 512;
// Deliver early when the warehouse holds this much, so its memory stays bounded.
constexpr std::size_t warehouse_limit_bytes = 64u << 20;

} // namespace

child_exit run(shm::segment& seg, const run_config& cfg) {
    auto& me = seg.process(shm::transport_slot);
    auto& stats = seg.transport();
    auto& abort_flag = seg.header().abort_now;
    dead_letter_writer dead(cfg.dead_letter_dir, "transportation");

    std::vector<std::unique_ptr<exporter_instance>> exporters;
    factory_export_info info{};
    try {
        // The blueprint is loaded here only for its product classes (its descriptor): no hook runs.
        auto bp = plugins::load_file(cfg.blueprint.file);
        info.pclass_count = bp.descriptor->pclass_count;
        info.pclasses = bp.descriptor->pclasses;
        export_checkpoints ck;
        if (cfg.checkpoints()) {
            ck.flags = FACTORY_EXPORT_CHECKPOINTS | (cfg.resuming ? std::uint32_t{FACTORY_EXPORT_RESUME} : 0u);
            ck.resume_epoch = cfg.resume_epoch;
        }
        for (const auto& choice : cfg.exporters)
            exporters.push_back(std::make_unique<exporter_instance>(choice, info, &abort_flag, cfg.hang_timeout_ns,
                                                                    &me.heartbeat, ck));
        // With checkpoints a death rolls the whole run back instead: nothing is counted lost.
        if (!cfg.checkpoints())
            for (std::size_t e = 0; e < exporters.size(); ++e) take_back_durable(*exporters[e], stats.exporters[e]);
    } catch (const std::exception& e) {
        shm::report_failure(me, e.what());
        return child_exit::refused;
    }

    const std::uint32_t lanes = seg.workshops();
    // Not movable, so made in place in a vector that is never resized (as purchasing's lines).
    std::vector<std::optional<shm::consumer>> consumers(lanes);
    for (std::uint32_t i = 0; i < lanes; ++i) consumers[i].emplace(seg.lane(i), &seg.lane_bell(i));
    warehouse store(info.pclass_count);
    driver truck(stats, exporters, info, store, dead, delivery_policy{cfg.export_retries, cfg.retry_backoff_ns},
                 abort_flag);
    truck.beat_while_waiting(&me.heartbeat);
    shm::backoff backoff;
    if (!shm::wait_for_start(seg, me)) return child_exit::finished;

    std::int64_t next_round = mono_ns() + cfg.flush_ns;
    lane_alignment aligned(lanes);
    // A lane waiting at its barrier is not ready: the barrier is what it shows.
    auto any_ready = [&] {
        shm::consumer::record r;
        for (std::uint32_t i = 0; i < lanes; ++i)
            if (!aligned.waiting(i) && consumers[i]->try_peek(r)) return true;
        return false;
    };
    std::vector<bool> finished(lanes, false);
    for (;;) {
        if (abort_flag.load(std::memory_order_relaxed) != 0) break;
        std::size_t moved = 0;
        bool all_finished = true;
        for (std::uint32_t i = 0; i < lanes; ++i) {
            auto& c = consumers[i];
            shm::consumer::record rec;
            std::size_t k = 0;
            while (k < batch_products && !aligned.waiting(i) && c->try_peek(rec)) {
                const auto& p = *static_cast<const factory_product*>(rec.data);
                if (shm::is_barrier(p)) [[unlikely]] {
                    aligned.arrived(i, p.pid, p.time_ns == 0);
                    break;
                }
                store.store(p);
                c->pop();
                ++k;
            }
            if (k != 0) c->release();
            moved += k;
            finished[i] = c->finished();
            if (!finished[i]) all_finished = false;
        }
        stats.received.add(moved);
        if (const std::uint64_t epoch = aligned.complete(finished); epoch != 0) [[unlikely]] {
            commit_epoch(seg, cfg, truck, exporters, epoch, aligned.all_ok());
            next_round = mono_ns() + cfg.flush_ns;
            for (std::uint32_t i = 0; i < lanes; ++i) {
                shm::consumer::record rec;
                if (aligned.waiting(i) && consumers[i]->try_peek(rec)) {
                    consumers[i]->pop();
                    consumers[i]->release();
                }
            }
            aligned.clear();
            all_finished = false; // look again: the lanes go on after their barriers
            moved = 1;            // progress: no backoff
        }
        stats.warehouse.set(store.products());
        me.heartbeat.add();
        std::int64_t now = mono_ns();
        if (now >= next_round || store.bytes() >= warehouse_limit_bytes) {
            truck.round();
            next_round = mono_ns() + cfg.flush_ns;
        }
        if (all_finished) break;
        if (moved != 0) {
            backoff.reset();
            continue;
        }
        std::int64_t until_round = std::max<std::int64_t>(next_round - now, 1'000'000);
        backoff.idle(seg.transport_bell(),
                     [&] { return any_ready() || abort_flag.load(std::memory_order_relaxed) != 0; },
                     std::min<std::int64_t>(until_round, 100'000'000));
    }
    if (abort_flag.load(std::memory_order_relaxed) == 0) truck.round();
    for (auto& e : exporters) e->close();
    return truck.clean() ? child_exit::finished : child_exit::undelivered;
}

} // namespace factory::transportation
