#include "workshop/shipper.hpp"

#include "shm/checkpoint_frame.hpp"
#include "shm/lane_publish.hpp"

#include <cstring>
#include <string>

namespace factory::workshop {

shipper::shipper(shm::segment& seg, std::uint32_t index, const factory_descriptor& blueprint,
                 dead_letter_writer& dead, const std::int64_t& now_ns)
    : seg_(seg), index_(index), stats_(seg.workshop(index)), lane_(seg.lane(index), &seg.transport_bell()),
      room_bell_(seg.lane_bell(index)), blueprint_(blueprint), dead_(dead), now_ns_(now_ns) {}

bool shipper::aborting() const noexcept {
    return seg_.header().abort_now.load(std::memory_order_relaxed) != 0;
}

int shipper::ship(void* ctx, std::uint64_t pid, std::uint32_t pclass, const void* record, std::uint32_t size) {
    auto* me = static_cast<shipper*>(ctx);
    factory_product header{pid, me->now_ns_, pclass, size};
    if (pclass >= me->blueprint_.pclass_count || size != me->blueprint_.pclasses[pclass].record_size ||
        record == nullptr) {
        std::string why = pclass >= me->blueprint_.pclass_count
                              ? "product of unknown pclass " + std::to_string(pclass) + " (the blueprint declares " +
                                    std::to_string(me->blueprint_.pclass_count) + ")"
                              : "product of " + std::to_string(size) + " bytes for pclass '" +
                                    me->blueprint_.pclasses[pclass].name + "', whose records have " +
                                    std::to_string(me->blueprint_.pclasses[pclass].record_size);
        // The dead letter keeps the bytes as given (hex), since they do not fit the schema.
        alignas(8) unsigned char buf[sizeof(factory_product) + 256];
        std::uint32_t keep = record != nullptr && size <= 256 ? size : 0;
        header.size = keep;
        std::memcpy(buf, &header, sizeof header);
        if (keep != 0) std::memcpy(buf + sizeof header, record, keep);
        if (!me->dead_.product(why, "", nullptr, *reinterpret_cast<const factory_product*>(buf)))
            me->stats_.unwritten_products.add();
        me->stats_.refused.add(); // after its letter, as every count of a dead letter
        return FACTORY_ERROR;
    }
    auto bytes = static_cast<std::uint32_t>(sizeof(factory_product) + size);
    void* slot = me->lane_.try_claim(bytes);
    if (slot == nullptr) {
        slot = me->claim_waiting(bytes);
        if (slot == nullptr) {
            // Aborting: the run is ending at once and this product cannot be delivered.
            me->stats_.refused.add();
            return FACTORY_ERROR;
        }
    }
    std::memcpy(slot, &header, sizeof header);
    std::memcpy(static_cast<unsigned char*>(slot) + sizeof header, record, size);
    ++me->unpublished_;
    return FACTORY_OK;
}

void* shipper::claim_waiting(std::uint32_t bytes) noexcept {
    publish();
    backoff_.reset();
    for (;;) {
        if (void* slot = lane_.try_claim(bytes)) return slot;
        if (aborting()) return nullptr;
        // Waiting for transportation is not a hang: keep the heartbeat going.
        seg_.process(shm::workshop_slot(index_)).heartbeat.add();
        backoff_.idle(room_bell_, [&] { return lane_.free_bytes() >= bytes + 64 || aborting(); }, 50'000'000);
    }
}

void shipper::publish() noexcept {
    if (unpublished_ != 0) {
        // The counts go with the publish even if this process dies in the middle (lane_publish.hpp).
        shm::announce_publish(stats_, lane_.claimed_position(), stats_.shipped.get() + unpublished_,
                              stats_.handed_over.get() + handed_over_);
        lane_.publish();
        shm::settle_publish(stats_);
        unpublished_ = 0;
        handed_over_ = 0;
    } else if (handed_over_ != 0) {
        stats_.handed_over.add(handed_over_);
        handed_over_ = 0;
    }
}

void shipper::barrier(std::uint64_t epoch, bool snapshot_ok) noexcept {
    publish();
    const factory_product frame{epoch, snapshot_ok ? 0 : 1, shm::product_barrier, 0};
    void* slot = lane_.try_claim(sizeof frame);
    if (slot == nullptr) slot = claim_waiting(sizeof frame);
    if (slot == nullptr) return; // aborting: no checkpoint completes
    std::memcpy(slot, &frame, sizeof frame);
    lane_.publish();
}

void shipper::close() noexcept {
    publish();
    lane_.close();
}

} // namespace factory::workshop
