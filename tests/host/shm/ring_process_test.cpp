// The ring under load between two threads and between two processes: every record in order, every
// byte intact, the same checksum at both ends, both sides idling through backoff and doorbells.
// A watchdog fails the binary instead of letting a lost wake-up or a dead peer hang CI.
#include "support/watchdog.hpp"
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <new>
#include <thread>

#include "shm/backoff.hpp"
#include "shm/ring.hpp"

using namespace factory::shm;
using factory::testing::watchdog;

namespace {

constexpr unsigned watchdog_seconds = 60;
constexpr std::int64_t max_sleep_ns = 10'000'000; // a real loop would wake for its timers
constexpr std::size_t ring_capacity = 64 * 1024;

// One lane as the segment would hold it: its two bells, the producer's tally, then the ring.
struct lane_header {
    doorbell wake_consumer;
    doorbell wake_producer;
    alignas(cache_line) std::atomic<std::uint64_t> producer_checksum{0};
    std::atomic<std::uint64_t> producer_records{0};
};

struct lane {
    lane_header* header;
    ring_control* ring;
};

constexpr std::size_t ring_offset = (sizeof(lane_header) + cache_line - 1) & ~(cache_line - 1);
constexpr std::size_t lane_bytes = ring_offset + ring_footprint(ring_capacity);

// MAP_SHARED | MAP_ANONYMOUS: after fork() parent and child share these pages.
lane map_lane() {
    void* at = mmap(nullptr, lane_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    REQUIRE(at != MAP_FAILED);
    auto* header = ::new (at) lane_header{};
    ring_control* ring = ring_create(static_cast<std::byte*>(at) + ring_offset, ring_capacity);
    return {header, ring};
}

void unmap_lane(lane l) { munmap(l.header, lane_bytes); }

std::uint64_t mix(std::uint64_t x) {
    x ^= x >> 31;
    x *= 0x7fb5d329728ea185ULL;
    x ^= x >> 27;
    return x;
}

// 8 to 300 bytes; the first 8 hold the sequence number.
std::uint32_t size_of(std::uint64_t seq) { return 8 + static_cast<std::uint32_t>(mix(seq) % 293); }

std::uint8_t pattern(std::uint64_t seq, std::uint32_t i) {
    return static_cast<std::uint8_t>(mix(seq + i) >> 56);
}

std::uint64_t fold(std::uint64_t sum, const std::uint8_t* bytes, std::uint32_t size) {
    for (std::uint32_t i = 0; i < size; ++i) {
        sum = sum * 1099511628211ULL + bytes[i];
    }
    return sum;
}

// Writes `count` records, publishing in batches of varying size, then closes the ring.
void produce(lane l, std::uint64_t count) {
    producer out(l.ring, &l.header->wake_consumer);
    backoff idle;
    std::uint64_t checksum = 0;
    std::uint64_t batch = 1;
    for (std::uint64_t seq = 0; seq < count;) {
        const std::uint32_t size = size_of(seq);
        void* at = out.try_claim(size);
        if (at == nullptr) {
            out.publish();
            const std::uint64_t seen_head = l.ring->head.load(std::memory_order_acquire);
            idle.idle(l.header->wake_producer,
                      [&] { return l.ring->head.load(std::memory_order_acquire) != seen_head; },
                      max_sleep_ns);
            continue;
        }
        idle.reset();
        auto* bytes = static_cast<std::uint8_t*>(at);
        std::memcpy(bytes, &seq, sizeof seq);
        for (std::uint32_t i = 8; i < size; ++i) {
            bytes[i] = pattern(seq, i);
        }
        checksum = fold(checksum, bytes, size);
        ++seq;
        if (out.unpublished() >= batch) {
            out.publish();
            batch = batch % 200 + 1;
        }
    }
    l.header->producer_checksum.store(checksum, std::memory_order_relaxed);
    l.header->producer_records.store(count, std::memory_order_relaxed);
    // close() stores `closed` with release: a consumer that sees the ring finished sees the tally.
    out.close();
}

struct consumed {
    std::uint64_t records = 0;
    std::uint64_t bad_records = 0; // out of order, wrong size or wrong bytes
    std::uint64_t checksum = 0;
};

// Reads until the ring is finished, checking every record, releasing every 32 records or when empty.
consumed consume(lane l) {
    consumer in(l.ring, &l.header->wake_producer);
    backoff idle;
    consumed result;
    std::uint32_t unreleased = 0;
    consumer::record r{};
    for (;;) {
        if (in.try_peek(r)) {
            idle.reset();
            const auto* bytes = static_cast<const std::uint8_t*>(r.data);
            std::uint64_t seq = 0;
            std::memcpy(&seq, bytes, sizeof seq);
            bool good = seq == result.records && r.size == size_of(seq);
            for (std::uint32_t i = 8; good && i < r.size; ++i) {
                good = bytes[i] == pattern(seq, i);
            }
            result.bad_records += good ? 0 : 1;
            result.checksum = fold(result.checksum, bytes, r.size);
            ++result.records;
            in.pop();
            if (++unreleased == 32) {
                in.release();
                unreleased = 0;
            }
            continue;
        }
        in.release();
        unreleased = 0;
        if (in.finished()) {
            return result;
        }
        idle.idle(l.header->wake_consumer,
                  [&] {
                      return l.ring->tail.load(std::memory_order_acquire) != in.position() ||
                             l.ring->closed.load(std::memory_order_acquire) != 0;
                  },
                  max_sleep_ns);
    }
}

} // namespace

TEST_CASE("two threads move 200k records of mixed sizes through a small ring", "[ring][stress]") {
    watchdog guard(watchdog_seconds);
    const lane l = map_lane();
    constexpr std::uint64_t count = 200'000;
    std::thread producing([&] { produce(l, count); });
    const consumed got = consume(l);
    producing.join();
    CHECK(got.records == count);
    CHECK(got.bad_records == 0);
    CHECK(got.checksum == l.header->producer_checksum.load());
    CHECK(backlog_records(l.ring) == 0);
    CHECK(backlog_bytes(l.ring) == 0);
    unmap_lane(l);
}

TEST_CASE("two processes move a million records through a shared ring", "[ring][stress][process]") {
    watchdog guard(watchdog_seconds);
    const lane l = map_lane();
    constexpr std::uint64_t count = 1'000'000;
    const pid_t parent = getpid();
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        // The child has no threads (fork copies only the caller). It dies with the parent and on its
        // own watchdog (alarms are not inherited across fork).
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) {
            _exit(71);
        }
        signal(SIGALRM, SIG_DFL);
        alarm(watchdog_seconds);
        produce(l, count);
        _exit(0);
    }
    const consumed got = consume(l);
    int status = 0;
    while (waitpid(child, &status, 0) == -1) {
    }
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(got.records == count);
    CHECK(got.bad_records == 0);
    CHECK(l.header->producer_records.load() == count);
    CHECK(got.checksum == l.header->producer_checksum.load());
    CHECK(backlog_records(l.ring) == 0);
    CHECK(l.ring->records_released.load() == count);
    unmap_lane(l);
}
