// The buyer: the host side of a source's on_fill. It routes each material to the production line
// of its key's workshop (line = route(mix(pid), workshops)), writing it straight into that line's
// ring (no intermediate copy), publishes every line once per fill, and waits when a line is full
// (backpressure). Only the purchasing process uses it, from one thread.
#pragma once

#include "common/dead_letter.hpp"
#include "shm/backoff.hpp"
#include "shm/segment.hpp"

#include <factory/abi.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace factory::purchasing {

class buyer {
public:
    buyer(shm::segment& seg, std::uint32_t max_material, bool material_clock, dead_letter_writer& dead);

    // Prepares a factory_fill allowing `room` materials; valid until the next call.
    factory_fill* begin_fill(std::uint32_t room) noexcept;
    // Publishes every line with unpublished materials (and, on the material clock, the watermark).
    void publish_all() noexcept;
    // Publishes and marks every line finished: the workshops drain them and end.
    void close_all() noexcept;

    bool stopping() const noexcept;
    std::uint64_t purchased() const noexcept { return seq_; }

    // Checkpoints. Puts a barrier (shm/checkpoint_frame.hpp) for `epoch` in every line and
    // publishes them; waits for room even while the run is stopping (a final barrier), not once it
    // aborts. Returns false when the run aborted first.
    bool push_barrier(std::uint64_t epoch, std::uint16_t kind) noexcept;
    // A control frame (shm/checkpoint_frame.hpp) on pid's line, after every material added so far
    // and before any added later: `head` then `state` as its payload. Not a purchase. Returns
    // false when the run is stopping and the line has no room.
    bool push_control(std::uint16_t kind, std::uint64_t pid, const void* head, std::uint32_t head_size,
                      const void* state, std::uint32_t state_size) noexcept;
    // The largest payload a frame or material may have.
    std::uint32_t max_payload() const noexcept { return max_material_; }
    // A replay from a checkpoint: purchase numbers continue after `seq`, and materials whose number
    // is in `skip` (ascending) are taken from the source but not put on a line (skipped: a workshop
    // died on them earlier in the job, and their letters are written).
    void resume_at(std::uint64_t seq, std::int64_t watermark_ns, std::vector<std::uint64_t> skip);
    std::int64_t watermark_ns() const noexcept { return watermark_ns_; }

private:
    static void* add(void* self, std::uint64_t pid, std::int64_t time_ns, std::uint16_t format, std::uint32_t size);
    static void reject(void* self, const char* reason, const void* data, std::uint32_t size);
    void* claim_waiting(std::uint32_t line, std::uint32_t bytes, bool through_stop = false) noexcept;
    void* skip_one() noexcept;

    shm::segment& seg_;
    shm::purchasing_stats& stats_;
    dead_letter_writer& dead_;
    // Contiguous and never relocated (a producer is not movable): indexing a deque per material
    // cost a division and several dependent loads.
    std::vector<std::optional<shm::producer>> lines_;
    std::vector<std::uint64_t> pushed_; // per line, since the last publish
    shm::backoff backoff_;
    factory_fill fill_{};
    std::uint32_t workshops_;
    std::uint32_t max_material_;
    bool material_clock_;
    std::uint64_t seq_ = 0;
    std::int64_t fill_unix_ns_ = 0;
    std::int64_t fill_mono_ns_ = 0;
    std::int64_t watermark_ns_ = 0;
    // Replays only: the purchase numbers to skip, the next of them (UINT64_MAX: none), and where a
    // skipped material's payload goes.
    std::vector<std::uint64_t> skip_;
    std::size_t skip_at_ = 0;
    std::uint64_t next_skip_ = UINT64_MAX;
    std::vector<std::uint64_t> scratch_;
};

} // namespace factory::purchasing
