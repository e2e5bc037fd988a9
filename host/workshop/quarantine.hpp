// The material a workshop process died on, found by line_cursor::resume() after a restart: never
// handed to a blueprint again, but dead-lettered with how the process died and counted as
// quarantined. The director does this before it continues its line, and so does the drain of a
// workshop the run gave up on, so the poison material keeps its own reason in both.
#pragma once

#include "common/dead_letter.hpp"
#include "shm/ring.hpp"
#include "shm/stats.hpp"
#include "workshop/line_cursor.hpp"

#include <string>

namespace factory::workshop {

inline void quarantine_resumed(line_cursor& cursor, shm::consumer& line, const factory_material& m,
                               dead_letter_writer& dead, shm::workshop_stats& stats, const char* last_death) {
    // The letter before the count (line_cursor.hpp).
    if (!dead.material(std::string("quarantined: ") + last_death + " while assembling this material", m))
        stats.unwritten_materials.add();
    cursor.quarantined(line);
    line.release();
}

} // namespace factory::workshop
