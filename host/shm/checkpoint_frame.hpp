// Checkpoint barriers as they travel the factory's rings. A barrier is a record like the others,
// so it keeps its place among them (the rings are FIFO and single-producer: no alignment is needed
// in a workshop, and transportation aligns its lanes itself).
//   - In a production line: a factory_material with flags = material_barrier, pid = the epoch,
//     seq = materials purchased before it, format = a barrier_kind, no payload. Workshops never hand
//     it to a blueprint.
//   - In a transportation lane: a factory_product with pclass = product_barrier, pid = the epoch,
//     time_ns = 1 when the workshop's snapshot failed (0 otherwise), no record. No real product has
//     that pclass: shipping checks pclasses against the blueprint's table.
#pragma once

#include <factory/abi.h>

#include <cstdint>

namespace factory::shm {

inline constexpr std::uint16_t material_barrier = 0x8000;
inline constexpr std::uint32_t product_barrier = 0xffffffffU;

enum class barrier_kind : std::uint16_t {
    periodic = 0,     // --checkpoint-every: snapshot the workers, carry on
    final_fire = 1,   // the run ends and its workers are fired first (end of input, --on-stop fire)
    final_keep = 2,   // the run ends with a savepoint: snapshot the workers, do not fire them
    // Control frames: flagged like barriers (never handed to a blueprint, never quarantined, not
    // purchases), but on one line only, with pid = the worker's pid and seq = the purchases before
    // it. A source whose state follows its partitions sends them (host_restore_worker/_release_).
    restore_worker = 3, // payload: control_worker, then the state: hire that worker as it was
    release_worker = 4  // no payload: drop pid's worker without on_fire (another host owns it now)
};

// The head of a restore_worker frame's payload (times: Unix ns on the clock of the run that kept it).
struct control_worker {
    std::int64_t hired_ns;
    std::int64_t last_seen_ns;
    std::uint32_t materials;
    std::uint32_t state_size;
};
static_assert(sizeof(control_worker) == 24);

constexpr bool is_control(const factory_material& m) noexcept {
    return (m.flags & material_barrier) != 0 && m.format >= static_cast<std::uint16_t>(barrier_kind::restore_worker);
}

constexpr bool is_barrier(const factory_material& m) noexcept { return (m.flags & material_barrier) != 0; }
constexpr bool is_barrier(const factory_product& p) noexcept { return p.pclass == product_barrier; }

} // namespace factory::shm
