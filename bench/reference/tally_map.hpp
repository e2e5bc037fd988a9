// The reference's keyed state: a count per pid in an open-addressing table with the state inline,
// sized once for the number of keys (no growth, no erase), linear probing. It is the least a keyed
// state update can cost: one hashed probe into memory the program owns, with the slots of the
// next materials prefetched, which is what the factory's roster does with more bookkeeping
// (contracts, growth, eviction, the blueprint call).
//
// The home slot comes from the low half of the mixed key, as in the roster, since routing uses
// the high half.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <new>

namespace factory::bench {

class tally_map {
public:
    struct slot {
        std::uint64_t pid;
        std::uint64_t count; // 0: empty
    };

    // Room for `keys` keys at a load of at most one half.
    explicit tally_map(std::uint64_t keys) {
        capacity_ = 16;
        while (capacity_ < 2 * keys) capacity_ *= 2;
        bytes_ = capacity_ * sizeof(slot);
        void* at = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (at == MAP_FAILED) throw std::bad_alloc();
        // The roster asks the same of its large tables: fewer TLB misses at random.
        if (bytes_ >= (std::size_t{4} << 20)) ::madvise(at, bytes_, MADV_HUGEPAGE);
        slots_ = static_cast<slot*>(at);
        mask_ = capacity_ - 1;
    }
    ~tally_map() { ::munmap(slots_, bytes_); }
    tally_map(const tally_map&) = delete;
    tally_map& operator=(const tally_map&) = delete;

    void prefetch(std::uint64_t mixed) const noexcept {
        __builtin_prefetch(&slots_[mixed & mask_], 1, 3);
    }

    // Counts one material of pid (`mixed` = factory::mix(pid)); true when it is the pid's first.
    bool count(std::uint64_t pid, std::uint64_t mixed) noexcept {
        for (std::uint64_t i = mixed & mask_;; i = (i + 1) & mask_) {
            slot& s = slots_[i];
            if (s.count == 0) {
                s.pid = pid;
                s.count = 1;
                ++size_;
                return true;
            }
            if (s.pid == pid) {
                ++s.count;
                return false;
            }
        }
    }

    std::uint64_t size() const noexcept { return size_; }

private:
    slot* slots_ = nullptr;
    std::uint64_t capacity_ = 0;
    std::uint64_t mask_ = 0;
    std::size_t bytes_ = 0;
    std::uint64_t size_ = 0;
};

} // namespace factory::bench
