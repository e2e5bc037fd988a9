#include "purchasing/buyer.hpp"

#include "common/clock.hpp"
#include "common/hash.hpp"
#include "shm/checkpoint_frame.hpp"

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
    // A replay passes by the materials a workshop died on: one compare, false but on a replay.
    if (me->seq_ + 1 == me->next_skip_) return me->skip_one();
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

void* buyer::skip_one() noexcept {
    ++seq_;
    --fill_.room;
    stats_.purchased.add();
    stats_.skipped.add();
    while (skip_at_ < skip_.size() && skip_[skip_at_] <= seq_) ++skip_at_;
    next_skip_ = skip_at_ < skip_.size() ? skip_[skip_at_] : UINT64_MAX;
    return scratch_.data();
}

void buyer::resume_at(std::uint64_t seq, std::int64_t watermark_ns, std::vector<std::uint64_t> skip) {
    seq_ = seq;
    watermark_ns_ = watermark_ns;
    skip_ = std::move(skip);
    skip_at_ = 0;
    while (skip_at_ < skip_.size() && skip_[skip_at_] <= seq_) ++skip_at_;
    next_skip_ = skip_at_ < skip_.size() ? skip_[skip_at_] : UINT64_MAX;
    if (next_skip_ != UINT64_MAX) scratch_.assign(max_material_ / 8 + 1, 0);
}

bool buyer::push_barrier(std::uint64_t epoch, std::uint16_t kind) noexcept {
    publish_all();
    const std::int64_t now = mono_ns();
    for (std::uint32_t i = 0; i < workshops_; ++i) {
        void* slot = lines_[i]->try_claim(sizeof(factory_material));
        if (slot == nullptr) slot = claim_waiting(i, sizeof(factory_material), true);
        if (slot == nullptr) return false;
        auto* m = static_cast<factory_material*>(slot);
        m->pid = epoch;
        m->time_ns = watermark_ns_;
        m->purchased_ns = now;
        m->seq = seq_;
        m->size = 0;
        m->format = kind;
        m->flags = shm::material_barrier;
        lines_[i]->publish();
    }
    return true;
}

bool buyer::push_control(std::uint16_t kind, std::uint64_t pid, const void* head, std::uint32_t head_size,
                         const void* state, std::uint32_t state_size) noexcept {
    // Materials already added keep their place before it: the line is one producer's FIFO.
    publish_all();
    const std::uint32_t line = workshops_ == 1 ? 0 : route(mix(pid), workshops_);
    const auto bytes = static_cast<std::uint32_t>(sizeof(factory_material) + head_size + state_size);
    void* slot = lines_[line]->try_claim(bytes);
    if (slot == nullptr) slot = claim_waiting(line, bytes);
    if (slot == nullptr) return false;
    auto* m = static_cast<factory_material*>(slot);
    m->pid = pid;
    m->time_ns = watermark_ns_;
    m->purchased_ns = mono_ns();
    m->seq = seq_; // not a purchase: the number of the material before it
    m->size = head_size + state_size;
    m->format = kind;
    m->flags = shm::material_barrier;
    auto* payload = reinterpret_cast<unsigned char*>(m + 1);
    if (head_size != 0) std::memcpy(payload, head, head_size);
    if (state_size != 0) std::memcpy(payload + head_size, state, state_size);
    lines_[line]->publish();
    return true;
}

void* buyer::claim_waiting(std::uint32_t line, std::uint32_t bytes, bool through_stop) noexcept {
    stats_.waits.add();
    publish_all();
    std::uint64_t backlog = shm::backlog_records(seg_.line(line));
    if (backlog > stats_.max_backlog.get()) stats_.max_backlog.set(backlog);
    auto& producer = *lines_[line];
    backoff_.reset();
    // Only a full line comes here, so reading the clock costs nothing on the flowing path.
    const std::int64_t since = mono_ns();
    const auto waited = [&] { stats_.wait_ns.add(static_cast<std::uint64_t>(mono_ns() - since)); };
    const auto give_up = [&] {
        return through_stop ? seg_.header().abort_now.load(std::memory_order_relaxed) != 0 : stopping();
    };
    for (;;) {
        if (give_up()) {
            waited();
            return nullptr;
        }
        if (void* slot = producer.try_claim(bytes)) {
            waited();
            return slot;
        }
        backoff_.idle(seg_.purchasing_bell(),
                      [&] { return producer.free_bytes() >= bytes + 64 || give_up(); },
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
