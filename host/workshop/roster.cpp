#include "workshop/roster.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <new>
#include <stdexcept>
#include <string>

namespace factory::workshop {

namespace {

// Cache-line alignment, so that a slot's position within its lines depends on its index only.
constexpr std::size_t line = 64;
// Tables at least this big are put on transparent huge pages where the kernel allows it: a
// roster of a million workers is ~80 MB visited at random, and with 4 KiB pages nearly every
// lookup would also miss the TLB.
constexpr std::size_t huge_page = std::size_t{2} << 20;

constexpr std::size_t round_up(std::size_t n, std::size_t to) noexcept {
    return (n + to - 1) / to * to;
}

std::byte* allocate_zeroed(std::size_t bytes) {
    const bool huge = bytes >= 2 * huge_page;
    const std::size_t align = huge ? huge_page : line;
    void* p = std::aligned_alloc(align, round_up(bytes, align));
    if (p == nullptr) {
        throw std::bad_alloc();
    }
    if (huge) {
        // Advice only: without THP (or with it off) the table works the same on small pages.
        ::madvise(p, round_up(bytes, align), MADV_HUGEPAGE);
    }
    // Zero every byte, not only the `materials` fields: it also touches every page now, at growth
    // time, instead of page-faulting on the data path later.
    std::memset(p, 0, bytes);
    return static_cast<std::byte*>(p);
}

void release(std::byte* p) noexcept { std::free(p); }

} // namespace

roster::roster(std::size_t state_size, std::size_t state_align, std::size_t initial_workers)
    : state_size_(state_size) {
    if (state_align == 0) {
        state_align = 1;
    }
    if ((state_align & (state_align - 1)) != 0 || state_align > max_state_align) {
        throw std::invalid_argument("roster: state alignment must be a power of two up to 16, not " +
                                    std::to_string(state_align));
    }
    state_offset_ = round_up(sizeof(worker_slot), state_align);
    stride_ = round_up(state_offset_ + state_size, std::max<std::size_t>(state_align, 8));
    rehash(min_capacity);
    reserve(initial_workers);
}

roster::~roster() { release(slots_); }

worker_slot* roster::insert(std::uint64_t pid, std::uint64_t mixed) {
    if (size_ >= max_size_) {
        rehash(std::max(capacity_ + capacity_ / 4, min_capacity));
    }
    worker_slot* s = home(mixed);
    while (s->materials != 0) {
        s = next(s);
    }
    occupy(s, pid);
    return s;
}

void roster::erase(worker_slot* slot) noexcept {
    std::byte* hole = reinterpret_cast<std::byte*>(slot);
    std::byte* p = hole;
    for (;;) {
        p += stride_;
        if (p == end_) {
            p = slots_;
        }
        auto* s = reinterpret_cast<worker_slot*>(p);
        if (s->materials == 0) {
            break;
        }
        const std::byte* h = slots_ + home_slot(mix(s->pid), capacity_) * stride_;
        // A worker whose home lies cyclically in (hole, p] would become unreachable if moved to
        // the hole (its probe would start after it); any other worker of the cluster can fill it.
        const bool stays = hole <= p ? (hole < h && h <= p) : (hole < h || h <= p);
        if (!stays) {
            std::memcpy(hole, p, stride_);
            hole = p;
        }
    }
    reinterpret_cast<worker_slot*>(hole)->materials = 0;
    --size_;
}

void roster::clear() noexcept {
    std::memset(slots_, 0, capacity_ * stride_);
    size_ = 0;
}

void roster::reserve(std::size_t n) {
    if (n <= max_size_) {
        return;
    }
    std::size_t capacity = 2 * n + 1;
    if (max_size_for(capacity) < n || capacity * stride_ >= small_table_bytes) {
        // Large: at least the size where the higher load applies.
        capacity = std::max(n + n / 4 + 1, (small_table_bytes + stride_ - 1) / stride_);
        while (max_size_for(capacity) < n) {
            ++capacity;
        }
    }
    rehash(capacity);
}

void roster::rehash(std::size_t new_capacity) {
    if (new_capacity > (std::size_t{1} << 32)) {
        throw std::length_error("roster: more than 2^32 slots");
    }
    std::byte* fresh = allocate_zeroed(new_capacity * stride_);
    std::byte* fresh_end = fresh + new_capacity * stride_;
    for (std::byte* p = slots_; p != end_; p += stride_) {
        const auto* s = reinterpret_cast<const worker_slot*>(p);
        if (s->materials == 0) {
            continue;
        }
        std::byte* q = fresh + home_slot(mix(s->pid), new_capacity) * stride_;
        while (reinterpret_cast<const worker_slot*>(q)->materials != 0) {
            q += stride_;
            if (q == fresh_end) {
                q = fresh;
            }
        }
        std::memcpy(q, p, stride_);
    }
    release(slots_);
    slots_ = fresh;
    end_ = fresh_end;
    capacity_ = new_capacity;
    max_size_ = max_size_for(new_capacity);
}

} // namespace factory::workshop
