#include "workshop/workshop.hpp"

#include "common/dead_letter.hpp"
#include "common/host_services.hpp"
#include "common/log.hpp"
#include "shm/barrier.hpp"
#include "workshop/blueprint_instance.hpp"
#include "workshop/director.hpp"
#include "workshop/shipper.hpp"

#include <memory>

namespace factory::workshop {

int run(shm::segment& seg, const run_config& cfg, std::uint32_t index) {
    auto& me = seg.process(shm::workshop_slot(index));
    auto& header = seg.header();
    dead_letter_writer dead(cfg.dead_letter_dir, "workshop " + std::to_string(index + 1));
    std::int64_t now_ns = 0;
    host_services services("blueprint " + cfg.blueprint.name, index, &header.abort_now);
    services.use_clock(&now_ns);

    std::unique_ptr<blueprint_instance> bp;
    try {
        bp = std::make_unique<blueprint_instance>(cfg.blueprint, services.api());
    } catch (const std::exception& e) {
        shm::report_failure(me, e.what());
        return 2;
    }
    shipper dock(seg, index, bp->descriptor(), dead, now_ns);
    services.enable_shipping(&shipper::ship, &dock);
    director boss(seg, index, cfg, *bp, dock, dead, now_ns);
    if (!shm::wait_for_start(seg, me)) return 0;
    int code = boss.run();
    bp->close();
    return code;
}

} // namespace factory::workshop
