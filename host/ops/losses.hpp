// What the death of a department loses, settled in the segment's books by the host once the process
// is dead (nothing else writes these counters then). The arithmetic lives here, next to the
// accounting whose identities it keeps true; the supervisor only decides when to call it.
//
// Every figure is derived from counts that the dead process could not leave half-written: a ring's
// own records_published / records_released, and counts settled through lane_publish.hpp's intent.
// So a death at any instant, between any two stores, loses exactly what it says.
#pragma once

#include "shm/segment.hpp"

#include <cstdint>

namespace factory::ops {

struct workshop_loss {
    std::uint64_t workers = 0;   // live workers that died with the process
    std::uint64_t materials = 0; // materials they had assembled, whose products never left
};

// A workshop died: finishes a lane publish it died in, then counts its live workers and what they
// held as lost, and empties its roster gauge.
workshop_loss settle_workshop_death(shm::segment& seg, std::uint32_t index) noexcept;

// Transportation died: products released by the lanes but not exported or dead-lettered by an
// exporter were in its warehouse. Returns the most any one exporter lost by this death.
std::uint64_t settle_transport_death(shm::segment& seg, std::size_t exporters) noexcept;

// Purchasing died: materials it purchased but never published on a line are lost. Sets every
// line's `pushed` to what the line itself published. Returns the lost count (all deaths so far).
std::uint64_t settle_purchasing_death(shm::segment& seg) noexcept;

} // namespace factory::ops
