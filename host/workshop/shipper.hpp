// The shipping dock of a workshop: the host side of host_ship. Checks each product against its
// pclass, writes it straight into the workshop's transportation lane, and waits when the lane is
// full (backpressure onto the blueprint, and so onto the production line). One per workshop
// process, used from its one thread.
#pragma once

#include "common/dead_letter.hpp"
#include "shm/backoff.hpp"
#include "shm/segment.hpp"

#include <factory/abi.h>

#include <cstdint>

namespace factory::workshop {

class shipper {
public:
    shipper(shm::segment& seg, std::uint32_t index, const factory_descriptor& blueprint,
            dead_letter_writer& dead, const std::int64_t& now_ns);

    // host_ship, with `ctx` the shipper.
    static int ship(void* ctx, std::uint64_t pid, std::uint32_t pclass, const void* record, std::uint32_t size);

    // A worker holding `materials` assembled materials is being fired: once the products it ships
    // are published, those materials are no longer at risk in this process (`handed_over`).
    void hand_over(std::uint32_t materials) noexcept { handed_over_ += materials; }
    // Makes the products shipped so far visible to transportation (once per batch); they are
    // counted as shipped with the publish, so a crash neither counts a product transportation
    // cannot see nor misses one it can (shm/lane_publish.hpp).
    void publish() noexcept;
    // Publishes and tells transportation this lane is finished.
    void close() noexcept;
    // Publishes, then puts checkpoint barrier `epoch` on the lane (shm/checkpoint_frame.hpp);
    // `snapshot_ok` false tells transportation this workshop's snapshot failed. Waits for room
    // unless the run aborts.
    void barrier(std::uint64_t epoch, bool snapshot_ok) noexcept;

private:
    void* claim_waiting(std::uint32_t bytes) noexcept;
    bool aborting() const noexcept;

    shm::segment& seg_;
    std::uint32_t index_;
    shm::workshop_stats& stats_;
    shm::producer lane_;
    shm::doorbell& room_bell_;
    shm::backoff backoff_;
    const factory_descriptor& blueprint_;
    dead_letter_writer& dead_;
    const std::int64_t& now_ns_;
    std::uint64_t unpublished_ = 0;
    std::uint64_t handed_over_ = 0;
};

} // namespace factory::workshop
