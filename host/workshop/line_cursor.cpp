#include "workshop/line_cursor.hpp"

namespace factory::workshop {

std::uint64_t line_cursor::settled_count() const noexcept {
    return stats_.assembled.get() + stats_.failed.get() + stats_.quarantined.get() + stats_.barriers.get() -
           stats_.settled_base.get();
}

const factory_material* line_cursor::resume(shm::consumer& line) noexcept {
    const std::uint64_t cursor = load();
    line.seek(position_of(cursor));
    shm::consumer::record rec;
    if (busy_of(cursor) && line.try_peek(rec)) {
        if (!busy_material_settled(line.records_popped(), settled_count())) {
            return static_cast<const factory_material*>(rec.data);
        }
        // Counted before the last process died: the blueprint did not die on it. Settled before
        // the release, so a crash in between does not find the next material marked busy.
        line.pop();
        settle(line.position());
        line.release();
        return nullptr;
    }
    settle(line.position());
    return nullptr;
}

void line_cursor::quarantined(shm::consumer& line) noexcept {
    stats_.quarantined.add();
    line.pop();
    settle(line.position());
}

} // namespace factory::workshop
