// The ring on one thread: layout, framing, wrap-around, batching, full/empty, close, seek, backlog.
// Cross-thread and cross-process runs are in ring_process_test.cpp.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "shm/ring.hpp"

using namespace factory::shm;

namespace {

// A ring in ordinary (64-byte aligned) memory, filled with garbage first so that ring_create() is
// seen not to rely on zeroed memory.
struct test_ring {
    explicit test_ring(std::size_t capacity)
        : memory(static_cast<std::byte*>(std::aligned_alloc(cache_line, ring_footprint(capacity)))) {
        std::memset(memory, 0xa5, ring_footprint(capacity));
        ring = ring_create(memory, capacity);
    }
    ~test_ring() { std::free(memory); }
    test_ring(const test_ring&) = delete;
    test_ring& operator=(const test_ring&) = delete;

    std::byte* data() const { return memory + ring->data_offset; }

    std::byte* memory;
    ring_control* ring;
};

std::uint8_t pattern(std::uint64_t seq, std::uint32_t i) {
    return static_cast<std::uint8_t>((seq * 131) ^ (i * 7) ^ (i >> 8));
}

void fill(void* at, std::uint64_t seq, std::uint32_t size) {
    auto* bytes = static_cast<std::uint8_t*>(at);
    for (std::uint32_t i = 0; i < size; ++i) {
        bytes[i] = pattern(seq, i);
    }
}

bool intact(const void* at, std::uint64_t seq, std::uint32_t size) {
    const auto* bytes = static_cast<const std::uint8_t*>(at);
    for (std::uint32_t i = 0; i < size; ++i) {
        if (bytes[i] != pattern(seq, i)) {
            return false;
        }
    }
    return true;
}

// Claims, fills and publishes one record; the ring must have room.
void put(producer& p, std::uint64_t seq, std::uint32_t size) {
    void* at = p.try_claim(size);
    REQUIRE(at != nullptr);
    fill(at, seq, size);
    p.publish();
}

// Pops one record, checks its size and bytes, releases it.
void take(consumer& c, std::uint64_t seq, std::uint32_t size) {
    consumer::record r{};
    REQUIRE(c.try_peek(r));
    REQUIRE(r.size == size);
    REQUIRE(intact(r.data, seq, size));
    c.pop();
    c.release();
}

} // namespace

TEST_CASE("ring_create checks capacity and alignment", "[ring]") {
    alignas(cache_line) static std::byte memory[ring_footprint(8192) + cache_line];
    CHECK_THROWS_AS(ring_create(memory, 4095), std::invalid_argument);
    CHECK_THROWS_AS(ring_create(memory, 2048), std::invalid_argument);
    CHECK_THROWS_AS(ring_create(memory, 6144), std::invalid_argument);
    CHECK_THROWS_AS(ring_create(memory, (std::size_t{1} << 32) * 2), std::invalid_argument);
    CHECK_THROWS_AS(ring_create(memory + 8, 4096), std::invalid_argument);
    CHECK_THROWS_AS(ring_create(nullptr, 4096), std::invalid_argument);

    ring_control* ring = ring_create(memory, 8192);
    CHECK(ring->capacity == 8192);
    CHECK(ring_attach(memory) == ring);
    CHECK(max_record(ring) == 8192 / 4 - 8);
}

TEST_CASE("ring_attach refuses memory that holds no ring", "[ring]") {
    alignas(cache_line) static std::byte memory[ring_footprint(4096)];
    std::memset(memory, 0, sizeof memory);
    CHECK_THROWS_AS(ring_attach(memory), std::invalid_argument);
}

TEST_CASE("ring_footprint covers the control block and the data area in whole cache lines", "[ring]") {
    for (std::size_t capacity : {std::size_t{4096}, std::size_t{1} << 16, std::size_t{1} << 20}) {
        CHECK(ring_footprint(capacity) % cache_line == 0);
        CHECK(ring_footprint(capacity) >= sizeof(ring_control) + capacity);
    }
    test_ring t(4096);
    CHECK(t.ring->data_offset + t.ring->capacity <= ring_footprint(4096));
    CHECK(t.ring->data_offset % cache_line == 0);
}

TEST_CASE("an empty ring has nothing to peek and no backlog", "[ring]") {
    test_ring t(4096);
    consumer c(t.ring, nullptr);
    consumer::record r{};
    CHECK_FALSE(c.try_peek(r));
    CHECK_FALSE(c.finished());
    CHECK(backlog_records(t.ring) == 0);
    CHECK(backlog_bytes(t.ring) == 0);
    CHECK(c.position() == 0);
}

TEST_CASE("a batch is invisible until its single publish", "[ring]") {
    test_ring t(4096);
    producer p(t.ring, nullptr);
    consumer c(t.ring, nullptr);
    for (std::uint64_t seq = 0; seq < 10; ++seq) {
        void* at = p.try_claim(40);
        REQUIRE(at != nullptr);
        fill(at, seq, 40);
    }
    CHECK(p.unpublished() == 10);
    consumer::record r{};
    CHECK_FALSE(c.try_peek(r));
    CHECK(backlog_records(t.ring) == 0);
    CHECK(t.ring->tail.load() == 0);

    p.publish();
    CHECK(p.unpublished() == 0);
    CHECK(t.ring->tail.load() == 10 * (8 + 40));
    CHECK(backlog_records(t.ring) == 10);
    CHECK(backlog_bytes(t.ring) == 10 * 48);
    for (std::uint64_t seq = 0; seq < 10; ++seq) {
        REQUIRE(c.try_peek(r));
        CHECK(r.size == 40);
        CHECK(intact(r.data, seq, 40));
        c.pop();
    }
    CHECK_FALSE(c.try_peek(r));
    // Popped but not released: the producer still counts them as taken.
    CHECK(backlog_records(t.ring) == 10);
    c.release();
    CHECK(backlog_records(t.ring) == 0);
    CHECK(backlog_bytes(t.ring) == 0);
}

TEST_CASE("try_peek returns the same record until pop", "[ring]") {
    test_ring t(4096);
    producer p(t.ring, nullptr);
    consumer c(t.ring, nullptr);
    put(p, 1, 3);
    put(p, 2, 5);
    consumer::record a{}, b{};
    REQUIRE(c.try_peek(a));
    REQUIRE(c.try_peek(b));
    CHECK(a.data == b.data);
    CHECK(a.size == 3);
    c.pop();
    REQUIRE(c.try_peek(b));
    CHECK(b.size == 5);
    CHECK(intact(b.data, 2, 5));
}

TEST_CASE("pop without a successful peek changes nothing", "[ring]") {
    test_ring t(4096);
    producer p(t.ring, nullptr);
    consumer c(t.ring, nullptr);
    c.pop();
    CHECK(c.position() == 0);
    put(p, 7, 16);
    consumer::record r{};
    REQUIRE(c.try_peek(r));
    c.pop();
    c.pop();
    CHECK(c.position() == 24);
}

TEST_CASE("records of every size wrap around intact and aligned", "[ring]") {
    test_ring t(4096);
    producer p(t.ring, nullptr);
    consumer c(t.ring, nullptr);
    const std::uint32_t largest = max_record(t.ring);
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    std::uint32_t batch = 1;
    const std::uint64_t total = 20'000;
    auto size_of = [&](std::uint64_t seq) {
        // Every size from 0 to max_record, visited in an order that mixes small and large.
        return static_cast<std::uint32_t>((seq * 37) % (largest + 1));
    };
    while (received < total) {
        std::uint32_t claimed = 0;
        while (sent < total && claimed < batch) {
            void* at = p.try_claim(size_of(sent));
            if (at == nullptr) {
                break;
            }
            REQUIRE(reinterpret_cast<std::uintptr_t>(at) % 8 == 0);
            fill(at, sent, size_of(sent));
            ++sent;
            ++claimed;
        }
        p.publish();
        consumer::record r{};
        std::uint32_t popped = 0;
        while (c.try_peek(r)) {
            REQUIRE(reinterpret_cast<std::uintptr_t>(r.data) % 8 == 0);
            REQUIRE(r.size == size_of(received));
            REQUIRE(intact(r.data, received, r.size));
            c.pop();
            ++received;
            // Release in varying amounts so the producer sees partial room.
            if (++popped % 3 == 0) {
                c.release();
            }
        }
        c.release();
        batch = batch % 13 + 1;
    }
    CHECK(received == total);
    // The ring wrapped many times.
    CHECK(c.position() > 100 * t.ring->capacity);
    CHECK(backlog_records(t.ring) == 0);
    CHECK(t.ring->records_published.load() == total);
    CHECK(t.ring->records_released.load() == total);
}

TEST_CASE("a full ring refuses claims until the consumer releases", "[ring]") {
    test_ring t(4096);
    producer p(t.ring, nullptr);
    consumer c(t.ring, nullptr);
    CHECK(p.free_bytes() == 4096);
    // 56-byte payloads: 64-byte frames, exactly 64 of them fill the ring.
    int claimed = 0;
    while (void* at = p.try_claim(56)) {
        fill(at, static_cast<std::uint64_t>(claimed), 56);
        ++claimed;
    }
    CHECK(claimed == 64);
    CHECK(p.free_bytes() == 0);
    CHECK(p.try_claim(0) == nullptr);
    p.publish();
    CHECK(p.try_claim(0) == nullptr);

    // Popping alone frees nothing; release does.
    consumer::record r{};
    REQUIRE(c.try_peek(r));
    c.pop();
    CHECK(p.try_claim(0) == nullptr);
    c.release();
    CHECK(p.free_bytes() == 64);
    void* at = p.try_claim(56);
    REQUIRE(at != nullptr);
    fill(at, 64, 56);
    CHECK(p.try_claim(0) == nullptr);
    p.publish();
    for (std::uint64_t seq = 1; seq <= 64; ++seq) {
        REQUIRE(c.try_peek(r));
        CHECK(intact(r.data, seq, 56));
        c.pop();
    }
    CHECK_FALSE(c.try_peek(r));
}

TEST_CASE("max_record is the largest accepted payload, even in an empty ring", "[ring]") {
    test_ring t(4096);
    producer p(t.ring, nullptr);
    const std::uint32_t largest = max_record(t.ring);
    CHECK(p.max_record() == largest);
    CHECK(p.try_claim(largest + 1) == nullptr);
    CHECK(p.unpublished() == 0);
    CHECK(p.free_bytes() == 4096);
    // Four max_record frames fill the ring exactly: the last one ends at the end of the data area.
    for (int i = 0; i < 4; ++i) {
        REQUIRE(p.try_claim(largest) != nullptr);
    }
    CHECK(p.try_claim(0) == nullptr);
}

TEST_CASE("a record that exactly fills the data area needs no padding", "[ring]") {
    test_ring t(4096);
    producer p(t.ring, nullptr);
    consumer c(t.ring, nullptr);
    const std::uint32_t largest = max_record(t.ring); // 1016: 1024-byte frames
    for (std::uint64_t seq = 0; seq < 4; ++seq) {
        void* at = p.try_claim(largest);
        REQUIRE(at != nullptr);
        CHECK(static_cast<std::byte*>(at) == t.data() + seq * 1024 + 8);
        fill(at, seq, largest);
    }
    p.publish();
    for (std::uint64_t seq = 0; seq < 4; ++seq) {
        take(c, seq, largest);
    }
    CHECK(c.position() == 4096);
    // The next record starts at offset 0 of the data area, with no padding before it.
    void* at = p.try_claim(8);
    CHECK(static_cast<std::byte*>(at) == t.data() + 8);
    fill(at, 4, 8);
    p.publish();
    CHECK(t.ring->tail.load() == 4096 + 16);
    take(c, 4, 8);
    CHECK(c.position() == 4096 + 16);
}

TEST_CASE("a record that would straddle the end wraps behind a padding frame", "[ring]") {
    // Fill the ring up to `used` bytes from its end, then claim a record that does not fit there.
    // The padding frame's own header is the whole remainder when only 8 bytes are left.
    const std::uint32_t left = GENERATE(8u, 16u, 1016u);
    test_ring t(4096);
    producer p(t.ring, nullptr);
    consumer c(t.ring, nullptr);
    std::uint64_t seq = 0;
    std::uint64_t filled = 0;
    while (filled < 4096 - left) {
        const std::uint64_t frame = std::min<std::uint64_t>(1024, 4096 - left - filled);
        put(p, seq, static_cast<std::uint32_t>(frame - 8));
        take(c, seq, static_cast<std::uint32_t>(frame - 8));
        ++seq;
        filled += frame;
    }
    REQUIRE(c.position() == 4096 - left);
    const std::uint32_t size = left; // frame = left + 8: one header too large for the remainder
    void* at = p.try_claim(size);
    REQUIRE(at != nullptr);
    CHECK(static_cast<std::byte*>(at) == t.data() + 8);
    fill(at, seq, size);
    p.publish();
    // The padding is published, and counted as backlog bytes, with the record.
    CHECK(backlog_bytes(t.ring) == left + 8 + size);
    CHECK(backlog_records(t.ring) == 1);
    take(c, seq, size);
    CHECK(c.position() == 4096 + 8 + size);
    CHECK(backlog_bytes(t.ring) == 0);
}

TEST_CASE("a wrap needs room for the padding too", "[ring]") {
    test_ring t(4096);
    producer p(t.ring, nullptr);
    consumer c(t.ring, nullptr);
    // 4080 bytes used and released: 16 bytes remain at the end.
    for (std::uint64_t seq = 0; seq < 3; ++seq) {
        put(p, seq, 1016);
        take(c, seq, 1016);
    }
    put(p, 3, 1000);
    take(c, 3, 1000);
    // Fill from position 4080: padding (16) + 3 full frames at offsets 0..3071, then a frame of 1024
    // would need 1024 bytes of which only 1008 are free.
    REQUIRE(p.try_claim(1016) != nullptr); // padding + frame at 0
    REQUIRE(p.try_claim(1016) != nullptr);
    REQUIRE(p.try_claim(1016) != nullptr);
    CHECK(p.free_bytes() == 4096 - 16 - 3 * 1024);
    CHECK(p.try_claim(1016) == nullptr);
    CHECK(p.try_claim(1000) != nullptr);
}

TEST_CASE("close publishes and finished waits for the last pop", "[ring]") {
    test_ring t(4096);
    producer p(t.ring, nullptr);
    consumer c(t.ring, nullptr);
    void* at = p.try_claim(24);
    REQUIRE(at != nullptr);
    fill(at, 0, 24);
    p.close();
    CHECK(t.ring->closed.load() == 1);
    CHECK_FALSE(c.finished());
    consumer::record r{};
    REQUIRE(c.try_peek(r));
    CHECK(intact(r.data, 0, 24));
    CHECK_FALSE(c.finished());
    c.pop();
    CHECK(c.finished());
    CHECK_FALSE(c.try_peek(r));
}

TEST_CASE("closing an empty ring finishes it at once", "[ring]") {
    test_ring t(4096);
    producer p(t.ring, nullptr);
    consumer c(t.ring, nullptr);
    CHECK_FALSE(c.finished());
    p.close();
    CHECK(c.finished());
}

TEST_CASE("a consumer restarted after a crash sees unreleased records again and can seek", "[ring]") {
    test_ring t(16384);
    producer p(t.ring, nullptr);
    {
        // Move the ring's positions near its end, so that the records below wrap.
        consumer warm_up(t.ring, nullptr);
        for (std::uint64_t seq = 1000; seq < 1003; ++seq) {
            put(p, seq, 4000);
            take(warm_up, seq, 4000);
        }
    }
    std::vector<std::uint64_t> positions;
    {
        consumer first(t.ring, nullptr);
        for (std::uint64_t seq = 0; seq < 20; ++seq) {
            // Varying sizes, with a wrap in the middle: positions are not evenly spaced.
            // 20 records, about 11.7 KiB in all: they fit in the ring at once.
            put(p, seq, static_cast<std::uint32_t>(100 + seq * 50));
        }
        consumer::record r{};
        for (std::uint64_t seq = 0; seq < 20; ++seq) {
            positions.push_back(first.position());
            REQUIRE(first.try_peek(r));
            first.pop();
            if (seq == 4) {
                first.release(); // records 0..4 released; then the process "dies"
            }
        }
    }
    CHECK(backlog_records(t.ring) == 15);

    consumer second(t.ring, nullptr);
    CHECK(second.position() == positions[5]);
    consumer::record r{};
    REQUIRE(second.try_peek(r));
    CHECK(intact(r.data, 5, r.size));

    SECTION("seek to a record boundary continues with that record") {
        second.seek(positions[12]); // skip 5..11, e.g. record 11 was the one it died on
        CHECK(second.position() == positions[12]);
        REQUIRE(second.try_peek(r));
        CHECK(r.size == 100 + 12 * 50);
        CHECK(intact(r.data, 12, r.size));
        second.release();
        CHECK(backlog_records(t.ring) == 8);
    }
    SECTION("seek between boundaries moves to the next boundary") {
        second.seek(positions[7] + 8);
        CHECK(second.position() == positions[8]);
        REQUIRE(second.try_peek(r));
        CHECK(intact(r.data, 8, r.size));
    }
    SECTION("seek before the released head goes to the released head") {
        REQUIRE(second.try_peek(r));
        second.pop();
        second.seek(positions[2]);
        CHECK(second.position() == positions[5]);
        REQUIRE(second.try_peek(r));
        CHECK(intact(r.data, 5, r.size));
    }
    SECTION("seek beyond the published tail stops at the tail") {
        second.seek(positions[19] + 1'000'000);
        CHECK(second.position() == t.ring->tail.load());
        CHECK_FALSE(second.try_peek(r));
        second.release();
        CHECK(backlog_records(t.ring) == 0);
        put(p, 20, 8);
        take(second, 20, 8);
    }
}

TEST_CASE("a restarted producer continues after the last publish", "[ring]") {
    test_ring t(4096);
    consumer c(t.ring, nullptr);
    {
        producer first(t.ring, nullptr);
        put(first, 0, 10);
        REQUIRE(first.try_claim(10) != nullptr); // claimed, never published: lost with the process
    }
    producer second(t.ring, nullptr);
    CHECK(second.unpublished() == 0);
    put(second, 1, 12);
    take(c, 0, 10);
    take(c, 1, 12);
    CHECK(t.ring->records_published.load() == 2);
    CHECK(backlog_records(t.ring) == 0);
}

TEST_CASE("publish and release ring the bell only when they hand something over", "[ring]") {
    test_ring t(4096);
    doorbell bell;
    producer p(t.ring, &bell);
    consumer c(t.ring, &bell);
    bell.seq.store(doorbell_armed); // as if someone slept: a notify would now disarm it
    p.publish();
    c.release();
    CHECK(bell.seq.load() == doorbell_armed);
    CHECK(t.ring->tail.load() == 0);
    put(p, 0, 8);
    CHECK(bell.seq.load() == 2);
    bell.seq.fetch_or(doorbell_armed);
    take(c, 0, 8);
    CHECK(bell.seq.load() == 4);
}

TEST_CASE("close rings the bell even with nothing left to publish", "[ring]") {
    test_ring t(4096);
    doorbell bell;
    producer p(t.ring, &bell);
    bell.seq.store(doorbell_armed);
    p.close();
    CHECK(bell.seq.load() == 2);
}
