// The roster: every live worker of one workshop, keyed by pid, with the blueprint's state inline.
//
// Layout. An open-addressing hash table of fixed-stride slots, no nodes and no tombstones. Each
// slot is a 24-byte worker_slot header followed by the blueprint's state bytes (at
// round_up(24, state_align) from the slot's start); the stride is rounded up to the state's
// alignment (and to 8). A slot whose `materials` is 0 is empty: a live worker has had at least
// one material, and its count saturates at UINT32_MAX instead of wrapping to 0.
//
// Probing. The home slot is factory::home_slot(mixed, capacity) with mixed = factory::mix(pid):
// the LOW half of the mixed key, because purchasing routes on the high half, which is therefore
// nearly constant inside one workshop. Collisions probe linearly (wrapping at the end); erase
// shifts the rest of the cluster back (backward-shift deletion), so a lookup stops at the first
// empty slot. Slots are moved with memcpy: the SDK requires blueprint state to be trivially
// copyable.
//
// Size. The table grows by 5/4 (rehashing every worker) when an insert would take it past its
// maximum load: 4/5 for a large table, 1/2 for a small one (slot array under small_table_bytes).
// A small table costs little memory either way, and a lower load makes most lookups end at the
// home slot, which saves the branch mispredictions that dominate the cost of a lookup in cache.
// The load of a large table lies between 0.64 (just after growing) and 0.8, where linear probing
// takes about 3 slots per hit and 13 per miss. The memory per live worker is stride / load:
// with S bytes of state (stride 24 + S), that is 24 + S bytes of header and state plus empty
// slots worth (24 + S) * (1 / load - 1), i.e. an overhead beyond the state of 30 + S/4 bytes at
// the best load (0.8), about 33 + S * 0.39 on average over a growth cycle and 37.5 + S * 0.56 at
// the worst (0.64); add the timer wheel's 16 bytes per worker (its entries carry their due; 32
// while an inspector's dues lie beyond its near level: timer_wheel.hpp). So the whole overhead
// stays under 64 bytes per worker for states up to 16 bytes at any load (the roster test
// measures a million workers grown from empty, load 0.77), and for larger states when the run
// calls reserve() for its expected size. Capacity is
// at most 2^32 slots (home_slot scales a 32-bit hash). Slot arrays of 4 MiB and more are
// advised onto transparent huge pages (fewer TLB misses when a million workers are visited at
// random).
//
// Threads: none of its own; one thread (the workshop's) owns a roster. Nothing here allocates
// except growth (insert past the load limit, reserve), which may throw std::bad_alloc.
//
// Pointer validity: a worker_slot* (and its state pointer) stays valid until the next insert,
// find_or_insert that inserts, erase, reserve or clear on the same roster. erase may move other
// workers (backward shift) and growth moves them all.
#pragma once

#include "common/hash.hpp"
#include "workshop/ticks.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace factory::workshop {

// The host's per-worker header. The times are the workforce's (workforce.hpp); the roster only
// reads pid and materials.
struct worker_slot {
    std::uint64_t pid;
    tick last_seen;          // tick of the latest material
    tick hired;              // tick of the first material
    tick due;                // the tick of this worker's entry in the timer wheel
    std::uint32_t materials; // materials so far, saturating; 0 marks an empty slot
};
static_assert(sizeof(worker_slot) == 24, "the slot header is part of the memory budget");

class roster {
public:
    static constexpr std::size_t max_state_align = 16;
    static constexpr std::size_t min_capacity = 16;
    // Growth happens when size would exceed capacity * load_num / load_den (large tables), or
    // capacity / 2 while the slot array is under small_table_bytes.
    static constexpr std::size_t load_num = 4;
    static constexpr std::size_t load_den = 5;
    static constexpr std::size_t small_table_bytes = std::size_t{4} << 20;

    // state_align: a power of two, at most max_state_align (0 is taken as 1). Throws
    // std::invalid_argument otherwise. initial_workers: as reserve().
    roster(std::size_t state_size, std::size_t state_align, std::size_t initial_workers = 0);
    ~roster();
    roster(const roster&) = delete;
    roster& operator=(const roster&) = delete;

    // The live worker for pid, or nullptr. `mixed` must be factory::mix(pid).
    worker_slot* find(std::uint64_t pid, std::uint64_t mixed) noexcept {
        // Most workers sit in their home slot or the next one (4 in 5 at the maximum load). Testing
        // both with one branch, instead of one branch per probe, avoids most mispredictions, which
        // are the main cost of a lookup in cache. Reading the next slot when the home one is empty
        // is harmless: pid cannot be there, since probing for it would have met the empty slot.
        worker_slot* s = home(mixed);
        worker_slot* t = next(s);
        const bool at_home = s->pid == pid && s->materials != 0;
        const bool after = t->pid == pid && t->materials != 0;
        if (at_home | after) {
            return at_home ? s : t;
        }
        if (s->materials == 0) {
            return nullptr;
        }
        for (s = t; s->materials != 0; s = next(s)) {
            if (s->pid == pid) {
                return s;
            }
        }
        return nullptr;
    }

    // Adds a worker for pid, which must be absent: header {pid, 0, 0, 0, materials = 1} (1 so
    // that it reads as live; the caller sets the times), state zeroed. May grow the table.
    worker_slot* insert(std::uint64_t pid, std::uint64_t mixed);

    // find() when present (inserted = false), else insert() (inserted = true): one probe
    // sequence instead of two.
    worker_slot* find_or_insert(std::uint64_t pid, std::uint64_t mixed, bool& inserted) {
        if (size_ < max_size_) {
            worker_slot* s = home(mixed);
            worker_slot* t = next(s);
            const bool at_home = s->pid == pid && s->materials != 0;
            const bool after = t->pid == pid && t->materials != 0;
            if (at_home | after) {
                inserted = false;
                return at_home ? s : t;
            }
            while (s->materials != 0) {
                if (s->pid == pid) {
                    inserted = false;
                    return s;
                }
                s = next(s);
            }
            inserted = true;
            occupy(s, pid);
            return s;
        }
        worker_slot* s = find(pid, mixed);
        inserted = s == nullptr;
        return inserted ? insert(pid, mixed) : s;
    }

    // Removes a live worker of this roster. Moves later members of its cluster back.
    void erase(worker_slot* slot) noexcept;

    // Removes every worker; keeps the capacity.
    void clear() noexcept;

    // Makes room for n workers without growing again (no rehash while size() <= n).
    void reserve(std::size_t n);

    // The blueprint's state of a slot: state_size() bytes, state_align aligned.
    void* state(worker_slot* slot) const noexcept {
        return reinterpret_cast<std::byte*>(slot) + state_offset_;
    }

    // Hints the CPU to fetch the home slot of a mixed key and the slots after it (for the
    // materials of a batch that come next). Never faults, changes nothing.
    static constexpr std::size_t prefetch_slots = 4;
    void prefetch(std::uint64_t mixed) const noexcept {
        // Integer addresses: the slot after the last one lies past the array (a prefetch never
        // faults, but pointer arithmetic there would be undefined).
        const std::uintptr_t p =
            reinterpret_cast<std::uintptr_t>(slots_) + home_slot(mixed, capacity_) * stride_;
        // The home slot and the next three: at the load of 0.8, one worker in five sits two or
        // more slots past its home, and each of those was a miss to memory (bench/README.md:
        // 58 -> 50 ns per material at a million keys). Every cache line they touch, once.
        const std::uintptr_t last = p + prefetch_slots * stride_ - 1;
        for (std::uintptr_t line = p & ~std::uintptr_t{63}; line <= last; line += 64)
            __builtin_prefetch(reinterpret_cast<const void*>(line), 1, 3);
        // GCC 12 counts __builtin_prefetch as free of side effects, infers that a function made
        // of prefetches is pure, and deletes every call to it whose (void) result is unused. An
        // empty volatile asm (no memory clobber, so no barrier) keeps this and its callers impure.
        asm volatile("" : : "r"(p));
    }

    // Calls f(worker_slot&) for every live worker, in slot order. f must not insert or erase.
    template <class F>
    void for_each(F&& f) {
        for (std::byte* p = slots_; p != end_; p += stride_) {
            auto* s = reinterpret_cast<worker_slot*>(p);
            if (s->materials != 0) {
                f(*s);
            }
        }
    }

    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    std::size_t capacity() const noexcept { return capacity_; }
    std::size_t state_size() const noexcept { return state_size_; }
    std::size_t stride() const noexcept { return stride_; }
    // Bytes held: the slot array (the object itself is small and not counted).
    std::size_t memory_bytes() const noexcept { return capacity_ * stride_; }

private:
    worker_slot* home(std::uint64_t mixed) const noexcept {
        return reinterpret_cast<worker_slot*>(slots_ + home_slot(mixed, capacity_) * stride_);
    }
    worker_slot* next(worker_slot* s) const noexcept {
        std::byte* p = reinterpret_cast<std::byte*>(s) + stride_;
        return reinterpret_cast<worker_slot*>(p == end_ ? slots_ : p);
    }
    void occupy(worker_slot* s, std::uint64_t pid) noexcept {
        *s = worker_slot{pid, 0, 0, 0, 1};
        std::memset(state(s), 0, state_size_);
        ++size_;
    }
    void rehash(std::size_t new_capacity);
    std::size_t max_size_for(std::size_t capacity) const noexcept {
        if (capacity * stride_ < small_table_bytes) {
            return capacity / 2;
        }
        return capacity / load_den * load_num + capacity % load_den * load_num / load_den;
    }

    std::size_t state_size_;
    std::size_t state_offset_;
    std::size_t stride_;
    std::size_t capacity_ = 0;
    std::size_t size_ = 0;
    std::size_t max_size_ = 0; // size_ may not exceed it; always < capacity_, so probes end
    std::byte* slots_ = nullptr;
    std::byte* end_ = nullptr;
};

} // namespace factory::workshop
