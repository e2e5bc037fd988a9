#include "purchasing/buyer.hpp"

#include "common/clock.hpp"
#include "common/hash.hpp"

#include <cstring>
#include <string>

namespace factory::purchasing {

buyer::buyer(shm::segment& seg, std::uint32_t max_material, bool material_clock, dead_letter_writer& dead)
    : seg_(seg), stats_(seg.purchasing()), dead_(dead), workshops_(seg.workshops()),
      max_material_(max_material), material_clock_(material_clock) {
    lines_ = std::vector<std::optional<shm::producer>>(workshops_); // never resized: never moves one
    for (std::uint32_t i = 0; i < workshops_; ++i) {
        lines_[i].emplace(seg.line(i), &seg.line_bell(i));
        std::uint32_t ring_max = shm::max_record(seg.line(i));
        if (ring_max >= sizeof(factory_material) && ring_max - sizeof(factory_material) < max_material_)
            max_material_ = ring_max - static_cast<std::uint32_t>(sizeof(factory_material));
    }
    pushed_.assign(workshops_, 0);
    fill_.struct_size = sizeof(factory_fill);
    fill_.self = this;
    fill_.max_size = max_material_;
    fill_.host_add = &add;
    fill_.host_reject = &reject;
}

bool buyer::stopping() const noexcept {
    auto& h = seg_.header();
    return h.stop_purchasing.load(std::memory_order_relaxed) != 0 ||
           h.abort_now.load(std::memory_order_relaxed) != 0;
}

factory_fill* buyer::begin_fill(std::uint32_t room) noexcept {
    fill_.room = room;
    fill_unix_ns_ = unix_ns();
    fill_mono_ns_ = mono_ns();
    return &fill_;
}

void* buyer::add(void* self, std::uint64_t pid, std::int64_t time_ns, std::uint16_t format, std::uint32_t size) {
    auto* me = static_cast<buyer*>(self);
    if (me->fill_.room == 0) return nullptr;
    if (size > me->max_material_) {
        // The source should have checked max_size; the record is counted and its reason kept (the
        // letter first: a death between the two leaves no counted record without its letter).
        if (!me->dead_.rejected("material of " + std::to_string(size) + " bytes is larger than the largest material (" +
                                    std::to_string(me->max_material_) + "); raise --max-material",
                                nullptr, 0))
            me->stats_.unwritten.add();
        me->stats_.purchased.add();
        me->stats_.rejected.add();
        me->stats_.oversize.add();
        return nullptr;
    }
    // One workshop: every material goes to line 0, and the key need not be hashed here.
    std::uint32_t line = me->workshops_ == 1 ? 0 : route(mix(pid), me->workshops_);
    auto bytes = static_cast<std::uint32_t>(sizeof(factory_material) + size);
    void* slot = me->lines_[line]->try_claim(bytes);
    if (slot == nullptr) {
        slot = me->claim_waiting(line, bytes);
        if (slot == nullptr) return nullptr;
    }
    auto* m = static_cast<factory_material*>(slot);
    m->pid = pid;
    m->time_ns = time_ns != 0 ? time_ns : me->fill_unix_ns_;
    m->purchased_ns = me->fill_mono_ns_;
    m->seq = ++me->seq_;
    m->size = size;
    m->format = format;
    m->flags = 0;
    if (m->time_ns > me->watermark_ns_) me->watermark_ns_ = m->time_ns;
    --me->fill_.room;
    ++me->pushed_[line];
    me->stats_.purchased.add();
    return m + 1;
}

void* buyer::claim_waiting(std::uint32_t line, std::uint32_t bytes) noexcept {
    stats_.waits.add();
    publish_all();
    std::uint64_t backlog = shm::backlog_records(seg_.line(line));
    if (backlog > stats_.max_backlog.get()) stats_.max_backlog.set(backlog);
    auto& producer = *lines_[line];
    backoff_.reset();
    // Only a full line comes here, so reading the clock costs nothing on the flowing path.
    const std::int64_t since = mono_ns();
    const auto waited = [&] { stats_.wait_ns.add(static_cast<std::uint64_t>(mono_ns() - since)); };
    for (;;) {
        if (stopping()) {
            waited();
            return nullptr;
        }
        if (void* slot = producer.try_claim(bytes)) {
            waited();
            return slot;
        }
        backoff_.idle(seg_.purchasing_bell(),
                      [&] { return producer.free_bytes() >= bytes + 64 || stopping(); },
                      50'000'000);
    }
}

void buyer::reject(void* self, const char* reason, const void* data, std::uint32_t size) {
    auto* me = static_cast<buyer*>(self);
    if (!me->dead_.rejected(reason != nullptr ? reason : "rejected by the source", data, size))
        me->stats_.unwritten.add();
    me->stats_.purchased.add();
    me->stats_.rejected.add();
}

void buyer::publish_all() noexcept {
    for (std::uint32_t i = 0; i < workshops_; ++i) {
        if (pushed_[i] != 0) {
            lines_[i]->publish();
            seg_.line_info(i).pushed.add(pushed_[i]);
            pushed_[i] = 0;
        }
        if (material_clock_) {
            // After the materials: a workshop that reads this watermark and then drains its line
            // has seen every material purchased before it (release pairs with its acquire).
            seg_.line_info(i).watermark_ns.store(watermark_ns_, std::memory_order_release);
        }
    }
}

void buyer::close_all() noexcept {
    publish_all();
    for (auto& p : lines_) p->close();
}

} // namespace factory::purchasing
