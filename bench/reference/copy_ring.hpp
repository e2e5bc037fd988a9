// The reference's production line: a single-producer single-consumer ring of wire_record slots in
// memory shared by a fork (MAP_SHARED | MAP_ANONYMOUS), about the size of a factory line (4 MiB).
// The least such a queue can do: indices on their own cache-line pairs, each side caching the
// other's index, one release store per batch. A side with nothing to do yields the core (on 2
// cores the side it waits for may need it; sched_yield returns at once when nobody does); it never
// sleeps, so the reference pays no wake-up costs and sets the upper bound.
#pragma once

#include "wire_record.hpp"

#include <sched.h>
#include <sys/mman.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>

namespace factory::bench {

class copy_ring {
public:
    static constexpr std::uint64_t slots = 65536; // 4.5 MiB of records

    struct shared {
        alignas(128) std::atomic<std::uint64_t> tail{0}; // records published
        std::atomic<std::uint32_t> closed{0};
        alignas(128) std::atomic<std::uint64_t> head{0}; // records released
        alignas(128) wire_record data[slots];
    };

    // Maps a fresh ring; fork afterwards so that both processes share it.
    copy_ring() {
        void* at = ::mmap(nullptr, sizeof(shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (at == MAP_FAILED) throw std::bad_alloc();
        s_ = ::new (at) shared{};
    }
    ~copy_ring() { ::munmap(s_, sizeof(shared)); }
    copy_ring(const copy_ring&) = delete;
    copy_ring& operator=(const copy_ring&) = delete;

    // Producer side only: room for `n` records after those committed, waiting for it.
    void claim(std::uint64_t n) noexcept {
        while (claimed_ + n - head_cache_ > slots) {
            head_cache_ = s_->head.load(std::memory_order_acquire);
            if (claimed_ + n - head_cache_ > slots) idle();
        }
    }
    // Producer side only: the i-th slot after those committed (claim() room for it first).
    wire_record& at(std::uint64_t i) noexcept { return s_->data[(claimed_ + i) & (slots - 1)]; }
    void commit(std::uint64_t n) noexcept { claimed_ += n; }
    void publish() noexcept { s_->tail.store(claimed_, std::memory_order_release); }
    void close() noexcept {
        publish();
        s_->closed.store(1, std::memory_order_release);
    }

    // Consumer side only: how many records are readable from `first()` on, waiting for some;
    // 0 means the producer has closed the ring and everything was read.
    std::uint64_t wait_readable() noexcept {
        for (;;) {
            if (head_ != tail_cache_) return tail_cache_ - head_;
            tail_cache_ = s_->tail.load(std::memory_order_acquire);
            if (head_ != tail_cache_) return tail_cache_ - head_;
            if (s_->closed.load(std::memory_order_acquire) != 0) {
                tail_cache_ = s_->tail.load(std::memory_order_acquire);
                if (head_ == tail_cache_) return 0;
                continue;
            }
            idle();
        }
    }
    const wire_record& read(std::uint64_t i) const noexcept { return s_->data[(head_ + i) & (slots - 1)]; }
    void release(std::uint64_t n) noexcept {
        head_ += n;
        s_->head.store(head_, std::memory_order_release);
    }

private:
    static void idle() noexcept { sched_yield(); }

    shared* s_;
    // Each side uses only its own half (the object is copied into both processes by fork).
    std::uint64_t claimed_ = 0;
    std::uint64_t head_cache_ = 0;
    std::uint64_t head_ = 0;
    std::uint64_t tail_cache_ = 0;
};

} // namespace factory::bench
