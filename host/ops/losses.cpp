#include "ops/losses.hpp"

#include "shm/lane_publish.hpp"

#include <algorithm>

namespace factory::ops {

workshop_loss settle_workshop_death(shm::segment& seg, std::uint32_t index) noexcept {
    auto& w = seg.workshop(index);
    shm::finish_publish(w, *seg.lane(index));
    workshop_loss loss;
    loss.workers = w.roster.get();
    // What a crash loses is derived (stats.hpp, handed_over): assembled, less what left in products
    // or with workers that shipped none, less what earlier deaths already counted.
    loss.materials = w.assembled.get() - w.handed_over.get() - w.lost_materials.get();
    w.lost_workers.add(loss.workers);
    w.lost_materials.add(loss.materials);
    w.roster.set(0);
    return loss;
}

std::uint64_t settle_transport_death(shm::segment& seg, std::size_t exporters) noexcept {
    auto& t = seg.transport();
    // Taken off = released by the lanes: the lanes' own count, which a death between a release and
    // the `received` counter cannot make disagree with what the next process will find.
    std::uint64_t taken = 0;
    for (std::uint32_t i = 0; i < seg.workshops(); ++i)
        taken += seg.lane(i)->records_released.load(std::memory_order_acquire);
    t.received.set(taken);
    std::uint64_t lost = 0;
    for (std::size_t e = 0; e < exporters && e < shm::max_exporters; ++e) {
        auto& x = t.exporters[e];
        const std::uint64_t before = x.lost.get();
        x.lost.set(taken - x.exported.get() - x.dead_lettered.get());
        lost = std::max(lost, x.lost.get() - before);
    }
    t.warehouse.set(0);
    return lost;
}

std::uint64_t settle_purchasing_death(shm::segment& seg) noexcept {
    auto& p = seg.purchasing();
    // Put on a line = published by the line: the line's own count, which a death between a publish
    // and the `pushed` counter cannot make disagree with what the workshops will assemble.
    std::uint64_t pushed = 0;
    for (std::uint32_t i = 0; i < seg.workshops(); ++i) {
        const std::uint64_t on_line = seg.line(i)->records_published.load(std::memory_order_acquire);
        seg.line_info(i).pushed.set(on_line);
        pushed += on_line;
    }
    p.lost.set(p.purchased.get() - p.rejected.get() - pushed);
    return p.lost.get();
}

} // namespace factory::ops
