// A bounded lock-free single-producer single-consumer ring of variable-length records in shared
// memory: the production lines (purchasing -> workshop) and transportation lanes (workshop ->
// transportation) of the factory.
//
// Shared state (ring_control and the data area after it) holds no pointers, only byte positions,
// so each process may map the segment at its own address. Positions (head, tail) count bytes since
// the ring was created and never wrap in practice (2^64 bytes); the byte at position p lives at
// data[p & (capacity - 1)].
//
// Framing: every record is an 8-byte header {u32 size, u32 tag} and its payload, padded to a
// multiple of 8, so payloads are 8-byte aligned. A record never straddles the end of the data area:
// when it would, the producer fills the rest with a padding frame and the record starts at offset 0
// (both are published together, so a consumer never sees padding without its record).
//
// Batching: the producer claims any number of records, then publishes them with one release store;
// the consumer pops any number, then releases them with one release store. Each side keeps a cached
// copy of the other side's index and reloads it only when the cached view says full (producer) or
// empty (consumer), so the shared cache lines move once per batch, not once per record.
#pragma once

#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "shm/doorbell.hpp"

namespace factory::shm {

inline constexpr std::size_t cache_line = 64;
inline constexpr std::uint32_t ring_magic = 0x676e6972;   // "ring"
inline constexpr std::uint32_t ring_layout_version = 1;   // bump when ring_control changes
inline constexpr std::size_t ring_min_capacity = 4096;    // bytes
inline constexpr std::size_t ring_max_capacity = std::size_t{1} << 32;

// The shared part of one ring. Created by ring_create(); other processes use the same bytes through
// their own mapping (ring_attach()). The producer-written and the consumer-written fields sit
// 128 bytes apart, not just on different 64-byte lines: the adjacent-line prefetcher fetches lines
// in aligned pairs, and a pair shared by head and tail would bounce as if it were one line.
struct ring_control {
    // Written once by ring_create(), read-only afterwards.
    alignas(cache_line) std::uint32_t magic;
    std::uint32_t layout_version;
    std::uint64_t capacity;    // bytes in the data area, a power of two
    std::uint64_t data_offset; // bytes from the start of ring_control to the data area
    char pad_constants_[2 * cache_line - 24];

    // Producer side writes, anyone reads.
    alignas(cache_line) std::atomic<std::uint64_t> tail; // bytes published
    std::atomic<std::uint64_t> records_published;
    std::atomic<std::uint32_t> closed;                   // 1 once the producer has finished
    char pad_producer_[2 * cache_line - 20];

    // Consumer side writes, anyone reads.
    alignas(cache_line) std::atomic<std::uint64_t> head; // bytes released
    std::atomic<std::uint64_t> records_released;
    char pad_consumer_[2 * cache_line - 16];
};

static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
static_assert(std::atomic<std::uint32_t>::is_always_lock_free);
static_assert(std::is_standard_layout_v<ring_control>);
static_assert(offsetof(ring_control, tail) == 2 * cache_line);
static_assert(offsetof(ring_control, head) == 4 * cache_line);
static_assert(sizeof(ring_control) == 6 * cache_line);

// How far ahead of its position each side prefetches the ring's lines: 16 lines, a few frames of
// materials in flight from the other core (bench/micro/ring_bench.cpp, bench/README.md).
inline constexpr std::uint64_t prefetch_bytes = 1024;

namespace detail {

inline constexpr std::uint32_t record_tag = 0x64636572;  // "recd"
inline constexpr std::uint32_t padding_tag = 0x64646170; // "padd"
inline constexpr std::uint32_t header_bytes = 8;

struct record_header {
    std::uint32_t size; // payload bytes (padding frame: bytes after its header)
    std::uint32_t tag;  // record_tag or padding_tag
};
static_assert(sizeof(record_header) == header_bytes);

constexpr std::uint64_t frame_bytes(std::uint32_t size) noexcept {
    return header_bytes + ((std::uint64_t{size} + 7) & ~std::uint64_t{7});
}

inline std::byte* data_area(ring_control* ring) noexcept {
    return reinterpret_cast<std::byte*>(ring) + ring->data_offset;
}

inline record_header read_header(const std::byte* at) noexcept {
    record_header h;
    std::memcpy(&h, at, sizeof h);
    return h;
}

inline void write_header(std::byte* at, std::uint32_t size, std::uint32_t tag) noexcept {
    const record_header h{size, tag};
    std::memcpy(at, &h, sizeof h);
}

} // namespace detail

// Bytes to reserve in a segment for a ring of `capacity_bytes` (a cache-line multiple).
constexpr std::size_t ring_footprint(std::size_t capacity_bytes) noexcept {
    return sizeof(ring_control) + ((capacity_bytes + cache_line - 1) & ~(cache_line - 1));
}

// Lays out an empty ring at `at`, which must be cache-line aligned and have ring_footprint() bytes.
// capacity_bytes: a power of two in [4096, 2^32]. Throws std::invalid_argument otherwise. Not
// thread-safe: call once, before any producer or consumer exists (typically at segment creation).
inline ring_control* ring_create(void* at, std::size_t capacity_bytes) {
    if (capacity_bytes < ring_min_capacity || capacity_bytes > ring_max_capacity ||
        (capacity_bytes & (capacity_bytes - 1)) != 0) {
        throw std::invalid_argument("ring capacity " + std::to_string(capacity_bytes) +
                                    " bytes: must be a power of two between 4096 and 2^32");
    }
    if (at == nullptr || reinterpret_cast<std::uintptr_t>(at) % cache_line != 0) {
        throw std::invalid_argument("ring memory must be non-null and 64-byte aligned");
    }
    auto* ring = ::new (at) ring_control{};
    ring->magic = ring_magic;
    ring->layout_version = ring_layout_version;
    ring->capacity = capacity_bytes;
    ring->data_offset = sizeof(ring_control);
    // Release: whoever learns of the ring through an acquire (or a fork, or the segment's own
    // handshake) sees a complete layout.
    ring->tail.store(0, std::memory_order_release);
    ring->head.store(0, std::memory_order_release);
    return ring;
}

// The ring that ring_create() laid out at `at` (in this process's mapping). Throws
// std::invalid_argument when `at` does not hold a ring of this layout version.
inline ring_control* ring_attach(void* at) {
    auto* ring = static_cast<ring_control*>(at);
    if (ring == nullptr || ring->magic != ring_magic || ring->layout_version != ring_layout_version) {
        throw std::invalid_argument("no ring (of layout version " +
                                    std::to_string(ring_layout_version) + ") at this address");
    }
    return ring;
}

// Largest payload, in bytes, that try_claim() accepts: a quarter of the capacity minus a header,
// so a record always fits into an empty ring even after a wrap, and several fit in one batch.
// Bytes of framing each record takes in a ring, besides its payload (rounded up to 8).
inline constexpr std::uint64_t ring_header_bytes = detail::header_bytes;
constexpr std::uint64_t max_record(std::uint64_t capacity) noexcept {
    return capacity / 4 - detail::header_bytes;
}
inline std::uint32_t max_record(const ring_control* ring) noexcept {
    return static_cast<std::uint32_t>(max_record(ring->capacity));
}

// Records published and not yet released. Any thread, any process; a snapshot, exact only while
// both sides are quiet.
inline std::uint64_t backlog_records(const ring_control* ring) noexcept {
    // Released first, with acquire: it was stored (release) after the consumer had seen, by an
    // acquire of tail, the producer's count of those records, so the published count loaded next is
    // at least as large and the difference never underflows.
    const std::uint64_t released = ring->records_released.load(std::memory_order_acquire);
    const std::uint64_t published = ring->records_published.load(std::memory_order_acquire);
    return published - released;
}

// Bytes published and not yet released (framing and wrap padding included). Same rules as
// backlog_records().
inline std::uint64_t backlog_bytes(const ring_control* ring) noexcept {
    // Head first, for the same reason as in backlog_records(): then tail >= head.
    const std::uint64_t head = ring->head.load(std::memory_order_acquire);
    const std::uint64_t tail = ring->tail.load(std::memory_order_acquire);
    return tail - head;
}

// The writing end. Producer side only: exactly one producer object per ring at a time, used by one
// thread (in any process). It starts at the ring's published tail, so a restarted producer process
// continues after the last publish (anything its predecessor claimed but did not publish is lost).
class producer {
public:
    // `wake_consumer`: rung after each publish; may be nullptr when the consumer never sleeps.
    // Both pointers must stay valid for the producer's lifetime (they point into the segment).
    producer(ring_control* ring, doorbell* wake_consumer) noexcept
        : ring_(ring),
          bell_(wake_consumer),
          data_(detail::data_area(ring)),
          capacity_(ring->capacity),
          mask_(ring->capacity - 1),
          max_record_(shm::max_record(ring)),
          // Acquire: a producer taking over in a new process sees the state its predecessor left.
          claimed_(ring->tail.load(std::memory_order_acquire)),
          published_(claimed_),
          claimed_records_(ring->records_published.load(std::memory_order_acquire)),
          published_records_(claimed_records_),
          head_cache_(ring->head.load(std::memory_order_acquire)) {}

    producer(const producer&) = delete;
    producer& operator=(const producer&) = delete;

    // Reserves room for one record of `size` payload bytes and returns where to write them
    // (8-byte aligned, valid until this record is released by the consumer; write before publish()).
    // Returns nullptr, changing nothing, when size > max_record() or when the ring has no room now
    // (the consumer has not released enough). The record becomes visible at the next publish().
    [[nodiscard]] void* try_claim(std::uint32_t size) noexcept {
        if (size > max_record_) {
            return nullptr;
        }
        const std::uint64_t frame = detail::frame_bytes(size);
        const std::uint64_t index = claimed_ & mask_;
        const std::uint64_t to_end = capacity_ - index;
        const std::uint64_t needed = frame <= to_end ? frame : to_end + frame;
        if (claimed_ + needed - head_cache_ > capacity_) {
            // Acquire pairs with the consumer's release of head: its reads of the bytes we are
            // about to overwrite happened before.
            head_cache_ = ring_->head.load(std::memory_order_acquire);
            if (claimed_ + needed - head_cache_ > capacity_) {
                return nullptr;
            }
        }
        prefetch_ahead();
        std::uint64_t at = index;
        if (needed != frame) {
            detail::write_header(data_ + index, static_cast<std::uint32_t>(to_end - detail::header_bytes),
                                 detail::padding_tag);
            claimed_ += to_end;
            at = 0;
        }
        detail::write_header(data_ + at, size, detail::record_tag);
        claimed_ += frame;
        ++claimed_records_;
        return data_ + at + detail::header_bytes;
    }

    // Position after the last record claimed: the tail the next publish() stores.
    [[nodiscard]] std::uint64_t claimed_position() const noexcept { return claimed_; }

    // Makes every record claimed so far visible to the consumer (one release store), then rings the
    // consumer's doorbell (no system call unless the consumer sleeps). No-op when nothing is claimed.
    void publish() noexcept {
        if (claimed_ == published_) {
            return;
        }
        // Relaxed: ordered before the release store of tail below, which is what readers pair with.
        ring_->records_published.store(claimed_records_, std::memory_order_relaxed);
        // Release: the headers and payloads written since the last publish become visible to a
        // consumer that loads this tail with acquire.
        ring_->tail.store(claimed_, std::memory_order_release);
        published_ = claimed_;
        published_records_ = claimed_records_;
        if (bell_ != nullptr) {
            bell_->notify();
        }
    }

    // Publishes what is claimed and marks the ring finished: the consumer's finished() becomes true
    // once it has consumed everything. No claim may follow. Rings the doorbell even when nothing
    // was left to publish, so a sleeping consumer learns of the end.
    void close() noexcept {
        publish();
        // Release, after the last tail store: a consumer that sees closed (acquire) and then loads
        // tail gets the final tail.
        ring_->closed.store(1, std::memory_order_release);
        if (bell_ != nullptr) {
            bell_->notify();
        }
    }

    // Records claimed since the last publish().
    [[nodiscard]] std::uint64_t unpublished() const noexcept { return claimed_records_ - published_records_; }

    // Bytes free right now (reloads the consumer's head). Claimed-but-unpublished records count as
    // used. A record of n payload bytes needs 8 + n rounded up to 8, plus the rest of the data area
    // when it has to wrap.
    [[nodiscard]] std::size_t free_bytes() noexcept {
        head_cache_ = ring_->head.load(std::memory_order_acquire);
        return static_cast<std::size_t>(capacity_ - (claimed_ - head_cache_));
    }

    [[nodiscard]] std::uint32_t max_record() const noexcept { return max_record_; }

private:
    // Asks for the cache lines up to prefetch_bytes past the claim, while the consumer has released
    // them, each line once, for writing: the consumer's core holds a copy of each line it read,
    // and a frame written there must first take the line back. Only where the compiler may emit a
    // write prefetch (PREFETCHW: -march=native on most x86-64 since 2014, FACTORY_NATIVE): a read
    // prefetch does not take the line, and measured no gain (profile in the commit).
    void prefetch_ahead() noexcept {
#if defined(__PRFCHW__) || !defined(__x86_64__)
        const std::uint64_t room_end = head_cache_ + capacity_;
        const std::uint64_t want = claimed_ + prefetch_bytes;
        const std::uint64_t until = want < room_end ? want : room_end;
        if (prefetched_ < claimed_) prefetched_ = claimed_ & ~std::uint64_t{cache_line - 1};
        for (; prefetched_ < until; prefetched_ += cache_line)
            __builtin_prefetch(data_ + (prefetched_ & mask_), 1, 3);
#endif
    }

    ring_control* ring_;
    doorbell* bell_;
    std::byte* data_;
    std::uint64_t capacity_;
    std::uint64_t mask_;
    std::uint32_t max_record_;
    std::uint64_t claimed_;           // position after the last claimed frame
    std::uint64_t published_;         // tail as last stored
    std::uint64_t claimed_records_;   // records claimed since the ring was created
    std::uint64_t published_records_;
    std::uint64_t head_cache_;        // the consumer's head as last loaded
    std::uint64_t prefetched_ = 0;    // position up to which lines were prefetched
};

// The reading end. Consumer side only: exactly one consumer object per ring at a time, used by one
// thread (in any process). It starts at the ring's released head, so a restarted consumer process
// sees again every record its predecessor popped but did not release (see seek()).
class consumer {
public:
    struct record {
        const void* data;   // 8-byte aligned; valid until release() (or seek())
        std::uint32_t size; // payload bytes
    };

    // `wake_producer`: rung after each release; may be nullptr when the producer never sleeps.
    // Both pointers must stay valid for the consumer's lifetime (they point into the segment).
    consumer(ring_control* ring, doorbell* wake_producer) noexcept
        : ring_(ring),
          bell_(wake_producer),
          data_(detail::data_area(ring)),
          capacity_(ring->capacity),
          mask_(ring->capacity - 1),
          // Acquire: a consumer taking over in a new process sees the state its predecessor left.
          head_(ring->head.load(std::memory_order_acquire)),
          released_(head_),
          popped_records_(ring->records_released.load(std::memory_order_acquire)),
          tail_cache_(head_) {}

    consumer(const consumer&) = delete;
    consumer& operator=(const consumer&) = delete;

    // The next record, if one is published; does not consume it (calling it again returns the same
    // record until pop()). Returns false when nothing is visible right now.
    [[nodiscard]] bool try_peek(record& out) noexcept {
        if (head_ == tail_cache_) {
            // Acquire pairs with the producer's release of tail: the frames before it are complete.
            tail_cache_ = ring_->tail.load(std::memory_order_acquire);
            if (head_ == tail_cache_) {
                return false;
            }
        }
        prefetch_ahead();
        std::uint64_t index = head_ & mask_;
        detail::record_header h = detail::read_header(data_ + index);
        if (h.tag == detail::padding_tag) {
            // Published with the record that follows it, so that record is visible too.
            head_ += capacity_ - index;
            index = 0;
            h = detail::read_header(data_);
        }
        assert(h.tag == detail::record_tag && "ring corrupted or consumer at a non-boundary");
        out.data = data_ + index + detail::header_bytes;
        out.size = h.size;
        peeked_frame_ = detail::frame_bytes(h.size);
        return true;
    }

    // Consumes the record the last try_peek() returned. Local only: the producer may not reuse its
    // bytes before release(). Without a successful try_peek() since the last pop(): no effect.
    void pop() noexcept {
        head_ += peeked_frame_;
        popped_records_ += peeked_frame_ != 0 ? 1 : 0;
        peeked_frame_ = 0;
    }

    // Hands everything popped so far back to the producer (one release store of head, one of the
    // record count), then rings the producer's doorbell. Data pointers of popped records become
    // invalid. No-op when nothing was popped since the last release().
    void release() noexcept {
        if (head_ == released_) {
            return;
        }
        // Release: our reads of the popped payloads happen before the producer overwrites them.
        ring_->head.store(head_, std::memory_order_release);
        // Release, after head: backlog readers load this first, see backlog_records().
        ring_->records_released.store(popped_records_, std::memory_order_release);
        released_ = head_;
        if (bell_ != nullptr) {
            bell_->notify();
        }
    }

    // True once the producer has closed the ring and every record has been popped.
    [[nodiscard]] bool finished() const noexcept {
        // Closed first (acquire), then tail: the tail loaded after seeing closed is the final one.
        if (ring_->closed.load(std::memory_order_acquire) == 0) {
            return false;
        }
        return head_ == ring_->tail.load(std::memory_order_acquire);
    }

    // Records popped since the ring was created; after seek(), the records before the position.
    [[nodiscard]] std::uint64_t records_popped() const noexcept { return popped_records_; }

    // Byte position of the next record (or of the padding before it): monotonic, a record boundary.
    // Record it with each record to be able to seek() to it after a crash.
    [[nodiscard]] std::uint64_t position() const noexcept { return head_; }

    // Continues from `position`, for a consumer process restarted after a crash (e.g. to skip the
    // record its predecessor died on: seek to the position() after it). Precondition: `position` was
    // a record boundary, i.e. a value position() returned on this ring. Moves to the first record
    // boundary at or after `position`, counting from the released head (a smaller position means the
    // released head) and never beyond the published tail. Records skipped count as popped; release()
    // makes that visible. Walks the frames in between: O(records skipped), not for the data path.
    void seek(std::uint64_t position) noexcept {
        const std::uint64_t released = ring_->head.load(std::memory_order_acquire);
        std::uint64_t at = released;
        std::uint64_t records = ring_->records_released.load(std::memory_order_acquire);
        // Acquire: the frames we walk over are complete.
        const std::uint64_t tail = ring_->tail.load(std::memory_order_acquire);
        const std::uint64_t target = position < tail ? position : tail;
        while (at < target) {
            const std::uint64_t index = at & mask_;
            const detail::record_header h = detail::read_header(data_ + index);
            if (h.tag == detail::padding_tag) {
                at += capacity_ - index;
            } else {
                assert(h.tag == detail::record_tag && "ring corrupted");
                at += detail::frame_bytes(h.size);
                ++records;
            }
        }
        head_ = at;
        released_ = released;
        popped_records_ = records;
        tail_cache_ = tail;
        peeked_frame_ = 0;
        prefetched_ = 0;
    }

private:
    // Asks for the published cache lines up to prefetch_bytes past the head, each line once: the
    // producer's core wrote them last, and the next headers' addresses are known only once each
    // frame's size is read, so without this every frame would wait for its line in turn.
    void prefetch_ahead() noexcept {
        const std::uint64_t want = head_ + prefetch_bytes;
        const std::uint64_t until = want < tail_cache_ ? want : tail_cache_;
        if (prefetched_ < head_) prefetched_ = head_ & ~std::uint64_t{cache_line - 1};
        for (; prefetched_ < until; prefetched_ += cache_line)
            __builtin_prefetch(data_ + (prefetched_ & mask_), 0, 3);
    }

    ring_control* ring_;
    doorbell* bell_;
    const std::byte* data_;
    std::uint64_t capacity_;
    std::uint64_t mask_;
    std::uint64_t head_;           // position of the next frame to read
    std::uint64_t released_;       // head as last stored
    std::uint64_t popped_records_; // records popped since the ring was created
    std::uint64_t tail_cache_;     // the producer's tail as last loaded
    std::uint64_t peeked_frame_ = 0;
    std::uint64_t prefetched_ = 0; // position up to which lines were prefetched
};

} // namespace factory::shm
