#include "workshop/workshop.hpp"

#include "common/dead_letter.hpp"
#include "common/host_services.hpp"
#include "common/log.hpp"
#include "shm/backoff.hpp"
#include "shm/barrier.hpp"
#include "workshop/blueprint_instance.hpp"
#include "workshop/director.hpp"
#include "workshop/quarantine.hpp"
#include "workshop/line_cursor.hpp"
#include "workshop/shipper.hpp"

#include <memory>

namespace factory::workshop {

namespace {

// A workshop the run has given up on (it kept crashing): every material left on its line goes to
// the dead-letter output with `why`, and its lane is closed, so the run still ends with every
// material accounted for. No blueprint is loaded. The material the last process died on keeps its
// own reason (`last_death`), as after any restart.
child_exit drain(shm::segment& seg, std::uint32_t index, dead_letter_writer& dead, const std::string& why,
                 const char* last_death) {
    auto& stats = seg.workshop(index);
    auto& me = seg.process(shm::workshop_slot(index));
    auto& abort_flag = seg.header().abort_now;
    shm::consumer line(seg.line(index), &seg.purchasing_bell());
    line_cursor cursor(stats);
    if (const factory_material* m = cursor.resume(line))
        quarantine_resumed(cursor, line, *m, dead, stats, last_death);
    shm::backoff backoff;
    shm::consumer::record rec;
    for (;;) {
        std::size_t n = cursor.drain(line, 256, [&](const factory_material& m) {
            if (!dead.material(why, m)) stats.unwritten_materials.add();
        });
        me.heartbeat.add();
        if (abort_flag.load(std::memory_order_relaxed) != 0 || line.finished()) break;
        if (n != 0) {
            backoff.reset();
            continue;
        }
        backoff.idle(seg.line_bell(index),
                     [&] { return line.try_peek(rec) || abort_flag.load(std::memory_order_relaxed) != 0; },
                     100'000'000);
    }
    shm::producer lane(seg.lane(index), &seg.transport_bell());
    lane.close();
    return child_exit::finished;
}

} // namespace

child_exit run(shm::segment& seg, const run_config& cfg, std::uint32_t index) {
    auto& me = seg.process(shm::workshop_slot(index));
    auto& header = seg.header();
    std::string name = "workshop " + std::to_string(index + 1);
    dead_letter_writer dead(cfg.dead_letter_dir, name);
    if (me.given_up.load(std::memory_order_acquire) != 0) {
        if (!shm::wait_for_start(seg, me)) return child_exit::finished;
        log().warn("{} was given up on; draining its line to the dead-letter output", name);
        return drain(seg, index, dead, name + " given up after it crashed " + std::to_string(me.restarts.load()) +
                                           " times; this material was never assembled",
                     me.last_death);
    }
    std::int64_t now_ns = 0;
    host_services services("blueprint " + cfg.blueprint.name, index, &header.abort_now);
    services.use_clock(&now_ns);

    std::unique_ptr<blueprint_instance> bp;
    try {
        bp = std::make_unique<blueprint_instance>(cfg.blueprint, services.api());
    } catch (const std::exception& e) {
        shm::report_failure(me, e.what());
        return child_exit::refused;
    }
    shipper dock(seg, index, bp->descriptor(), dead, now_ns);
    services.enable_shipping(&shipper::ship, &dock);
    director boss(seg, index, cfg, *bp, dock, dead, now_ns);
    // A source that keeps its workers' state hands them over itself (control frames).
    if (cfg.resuming && !cfg.source_keeps_state) {
        try {
            boss.restore();
        } catch (const std::exception& e) {
            shm::report_failure(me, name + ": " + e.what());
            return child_exit::refused;
        }
    }
    if (!shm::wait_for_start(seg, me)) return child_exit::finished;
    if (me.restarts.load(std::memory_order_relaxed) != 0) {
        boss.resume(me.last_death);
        log().info("{} restarted (restart {}); continuing its line", name, me.restarts.load());
    }
    boss.run();
    bp->close();
    return child_exit::finished;
}

} // namespace factory::workshop
