// A workshop's place on its production line, kept in the shared segment (workshop_stats::cursor)
// so that a process restarted after a crash continues where the last one stopped, and quarantines
// the material it died on, counting every material exactly once.
//
// The rules, all of them here:
//   - The cursor is (position << 1) | busy: `position` is the line position (consumer::position())
//     of the next material, and `busy` says the material at `position` has been handed over and is
//     not yet known to be counted.
//   - take(p) before a material at position p is handed to the blueprint (or dead-lettered by a
//     drain); settle(next) after it is counted, with the position after it. Nothing is released
//     from the line while the cursor is busy, so a busy position is always still on the line.
//   - Every material before the cursor's position was counted exactly once, as assembled, failed or
//     quarantined. The busy bit is set before a material is counted and cleared after, so a process
//     that dies while busy may have died before the count (inside the blueprint: the material is
//     to be quarantined) or after it (killed in between, or crashing in on_fire for the worker the
//     material made done: quarantining it would count it twice). The counts tell the two apart:
//     with `before` materials on the line before the busy one, `settled` (assembled + failed +
//     quarantined) is `before` when the busy material was not counted and `before + 1` when it was.
//   - resume() applies that after a restart: it moves the line to the cursor, passes by a busy
//     material that was already counted, and hands back the one the last process died on.
//   - A workshop the run has given up on drains its line with the same rules, so a drain that is
//     itself killed and restarted neither counts a material twice nor skips one.
//
// One writer: the workshop process of this line (the host only reads it). Relaxed stores suffice:
// a reader in another process looks at the cursor only after the writer has died.
#pragma once

#include "shm/ring.hpp"
#include "shm/stats.hpp"

#include <factory/abi.h>

#include <cstddef>
#include <cstdint>

namespace factory::workshop {

// True when the busy material, with `records_before` materials on the line before it, is already
// among the `settled` ones (assembled + failed + quarantined).
constexpr bool busy_material_settled(std::uint64_t records_before, std::uint64_t settled) noexcept {
    return settled > records_before;
}

class line_cursor {
public:
    static constexpr std::uint64_t encode(std::uint64_t position, bool busy) noexcept {
        return position << 1 | (busy ? 1U : 0U);
    }
    static constexpr std::uint64_t position_of(std::uint64_t cursor) noexcept { return cursor >> 1; }
    static constexpr bool busy_of(std::uint64_t cursor) noexcept { return (cursor & 1) != 0; }

    // `stats`: this line's workshop block; the cursor and the counts that tell whether a busy
    // material was counted live there.
    explicit line_cursor(shm::workshop_stats& stats) noexcept : stats_(stats) {}

    [[nodiscard]] std::uint64_t position() const noexcept { return position_of(load()); }
    [[nodiscard]] bool busy() const noexcept { return busy_of(load()); }

    // The material at line position `at` is about to be handed over.
    void take(std::uint64_t at) noexcept { store(encode(at, true)); }
    // The material taken is counted; the next one starts at line position `next`.
    void settle(std::uint64_t next) noexcept { store(encode(next, false)); }

    // After a restart, before the first material: moves `line` to the cursor. A busy material that
    // was already counted is passed by (popped and released). Returns the material the last process
    // died on (busy and not counted), peeked and still on the line, or nullptr when there is none;
    // the caller dead-letters it and calls quarantined(). The cursor is settled on return when
    // nothing is returned.
    const factory_material* resume(shm::consumer& line) noexcept;

    // The material at the line's head, taken and dead-lettered, counts as quarantined: counted,
    // popped and settled; the caller releases the line (after one material or a batch). The letter
    // comes before the count, so a crash between them leaves at worst a second letter, never a
    // counted material without one.
    void quarantined(shm::consumer& line) noexcept;

    // A workshop the run has given up on: takes up to `most` materials off the line, each written by
    // `letter(const factory_material&)` to the dead-letter output and counted as quarantined, then
    // releases them. Returns how many. Call resume() first.
    template <class Letter>
    std::size_t drain(shm::consumer& line, std::size_t most, Letter&& letter) {
        std::size_t n = 0;
        shm::consumer::record rec;
        while (n < most && line.try_peek(rec)) {
            take(line.position());
            letter(*static_cast<const factory_material*>(rec.data));
            quarantined(line);
            ++n;
        }
        if (n != 0) line.release();
        return n;
    }

    // How many records of this line are counted: assembled + failed + quarantined materials, and
    // checkpoint barriers passed.
    [[nodiscard]] std::uint64_t settled_count() const noexcept;

private:
    std::uint64_t load() const noexcept { return stats_.cursor.load(std::memory_order_relaxed); }
    void store(std::uint64_t c) noexcept { stats_.cursor.store(c, std::memory_order_relaxed); }

    shm::workshop_stats& stats_;
};

} // namespace factory::workshop
