// What a restarted workshop does with the material its cursor marks busy (workshop_stats::cursor).
//
// The busy bit is set before a material is handed to the blueprint and cleared after the material
// is counted: assembled, or dead-lettered as failed. A process that dies inside the blueprint
// leaves the material busy and uncounted: it is quarantined. But a process can also die after the
// count and before the bit is cleared (killed in between, or crashing in on_fire for the worker
// the material made done): then the material is busy but already counted, and quarantining it
// would count it twice.
//
// The counts tell the two apart: every material before the cursor was counted exactly once, as
// assembled, failed or quarantined. So with `records_before` materials on the line before the
// busy one, `settled` (assembled + failed + quarantined) is records_before when the busy material
// was not counted, and records_before + 1 when it was.
#pragma once

#include <cstdint>

namespace factory::workshop {

inline bool busy_material_settled(std::uint64_t records_before, std::uint64_t settled) noexcept {
    return settled > records_before;
}

} // namespace factory::workshop
