#include "purchasing/purchasing.hpp"

#include "common/clock.hpp"
#include "common/dead_letter.hpp"
#include "common/host_services.hpp"
#include "common/log.hpp"
#include "purchasing/buyer.hpp"
#include "purchasing/checkpointer.hpp"
#include "purchasing/handover.hpp"
#include "purchasing/pacer.hpp"
#include "purchasing/source_instance.hpp"
#include "shm/barrier.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <thread>

namespace factory::purchasing {

namespace {

constexpr std::uint32_t batch_materials = 256;

} // namespace

child_exit run(shm::segment& seg, const run_config& cfg) {
    auto& me = seg.process(shm::purchasing_slot);
    auto& stats = seg.purchasing();
    auto& header = seg.header();
    dead_letter_writer dead(cfg.dead_letter_dir, "purchasing");
    host_services services("source " + cfg.source.name, 0, &header.stop_purchasing, &header.abort_now);
    services.give_material_layout(cfg.materials.as_pclass());

    std::unique_ptr<source_instance> source;
    try {
        source = std::make_unique<source_instance>(cfg.source, services.api());
    } catch (const std::exception& e) {
        shm::report_failure(me, e.what());
        return child_exit::refused;
    }
    buyer buy(seg, static_cast<std::uint32_t>(cfg.max_material), cfg.material_clock, dead);
    std::optional<checkpointer> checkpoints;
    std::optional<handover> handing;
    if (cfg.checkpoints()) {
        try {
            checkpoints.emplace(seg, cfg, *source, buy);
            if (cfg.source_keeps_state) {
                handing.emplace(buy, *checkpoints);
                services.enable_handover(&handover::restore, &handover::release, &handover::checkpoint_now,
                                         &*handing);
            }
            checkpoints->prepare();
        } catch (const std::exception& e) {
            shm::report_failure(me, std::string("--checkpoint: ") + e.what());
            return child_exit::refused;
        }
    }
    if (!shm::wait_for_start(seg, me)) return child_exit::finished;

    pacer pace(cfg.rate, batch_materials);
    // The pace counts this process's purchases: a replay starts with the checkpoint's number.
    const std::uint64_t base = buy.purchased();
    const auto bought = [&] { return buy.purchased() - base; };
    factory_error err{};
    child_exit code = child_exit::finished;
    unsigned empty_fills = 0;
    bool end_of_input = false;
    while (!buy.stopping()) {
        if (checkpoints) checkpoints->poll();
        std::uint32_t room = pace.room(bought());
        if (room == 0) {
            pace.wait(bought(), [&] { return buy.stopping(); });
            continue;
        }
        std::uint64_t before = stats.purchased.get();
        err.message[0] = '\0';
        int rc = source->fill(buy.begin_fill(room), &err);
        buy.publish_all();
        me.heartbeat.add();
        if (rc == FACTORY_END) {
            stats.end_of_input.store(1, std::memory_order_relaxed);
            end_of_input = true;
            break;
        }
        if (rc != FACTORY_OK) {
            stats.source_failed.store(1, std::memory_order_relaxed);
            log().error("source {}: input failed: {}", cfg.source.name,
                        err.message[0] != '\0' ? err.message : "no reason given");
            code = child_exit::source_failed;
            break;
        }
        // A source with nothing to give right now: back off briefly instead of spinning.
        if (stats.purchased.get() == before) {
            if (++empty_fills > 64) std::this_thread::sleep_for(std::chrono::microseconds(500));
            else std::this_thread::yield();
        } else {
            empty_fills = 0;
        }
    }
    // A failed source ends the run without a final checkpoint: the next run resumes from the last
    // one and reads that input again.
    if (checkpoints && code == child_exit::finished) {
        if (handing) checkpoints->take_last();
        checkpoints->finish(end_of_input);
    }
    buy.close_all();
    if (handing && end_of_input && code == child_exit::finished) checkpoints->wait_final_exported();
    source->close();
    log().debug("purchased {} materials ({} rejected)", stats.purchased.get(), stats.rejected.get());
    return code;
}

} // namespace factory::purchasing
