// Throughput of the shared-memory ring: 64-byte records from a producer to a consumer thread, or
// to a consumer process, publishing after every 1, 32 or 256 records. Reports items/s (records).
// Both sides idle through the production backoff and doorbells, as the factory's loops do.
// Also: latency and consumer CPU at a paced 1000 records/s (the backoff's targets), and the cost of
// a notify() that finds nobody asleep.
//
//   build-shm/bench/ring_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <new>
#include <thread>
#include <vector>

#include "shm/backoff.hpp"
#include "shm/ring.hpp"

using namespace factory::shm;

namespace {

constexpr std::size_t ring_capacity = 256 * 1024;
constexpr std::uint32_t record_bytes = 64;
constexpr std::uint32_t release_every = 64;
constexpr std::int64_t max_sleep_ns = 1'000'000;

struct lane_header {
    doorbell wake_consumer;
    doorbell wake_producer;
    alignas(cache_line) std::atomic<std::uint64_t> consumed{0};
    std::atomic<std::uint64_t> out_of_order{0};
};

constexpr std::size_t ring_offset = (sizeof(lane_header) + cache_line - 1) & ~(cache_line - 1);
constexpr std::size_t lane_bytes = ring_offset + ring_footprint(ring_capacity);

// One lane in an anonymous MAP_SHARED mapping, so a forked consumer shares it.
struct lane {
    lane() {
        void* at = mmap(nullptr, lane_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (at == MAP_FAILED) {
            throw std::bad_alloc();
        }
        header = ::new (at) lane_header{};
        ring = ring_create(static_cast<std::byte*>(at) + ring_offset, ring_capacity);
    }
    ~lane() { munmap(header, lane_bytes); }
    lane(const lane&) = delete;
    lane& operator=(const lane&) = delete;

    lane_header* header;
    ring_control* ring;
};

// Reads until the ring is finished; checks the sequence numbers so the work cannot be elided.
void consume(lane& l) {
    consumer in(l.ring, &l.header->wake_producer);
    backoff idle;
    std::uint64_t expected = 0;
    std::uint64_t out_of_order = 0;
    std::uint32_t unreleased = 0;
    consumer::record r{};
    for (;;) {
        if (in.try_peek(r)) {
            idle.reset();
            std::uint64_t seq = 0;
            std::memcpy(&seq, r.data, sizeof seq);
            out_of_order += seq != expected ? 1 : 0;
            ++expected;
            in.pop();
            if (++unreleased == release_every) {
                in.release();
                unreleased = 0;
            }
            continue;
        }
        in.release();
        unreleased = 0;
        if (in.finished()) {
            break;
        }
        idle.idle(l.header->wake_consumer,
                  [&] {
                      return l.ring->tail.load(std::memory_order_acquire) != in.position() ||
                             l.ring->closed.load(std::memory_order_acquire) != 0;
                  },
                  max_sleep_ns);
    }
    l.header->out_of_order.store(out_of_order, std::memory_order_relaxed);
    l.header->consumed.store(expected, std::memory_order_release);
}

// The timed part: one record per iteration, a publish every `batch` records.
void produce(benchmark::State& state, lane& l, std::uint64_t batch) {
    producer out(l.ring, &l.header->wake_consumer);
    backoff idle;
    alignas(8) std::byte payload[record_bytes];
    std::memset(payload, 0x5a, sizeof payload);
    std::uint64_t seq = 0;
    for (auto _ : state) {
        void* at;
        while ((at = out.try_claim(record_bytes)) == nullptr) {
            out.publish();
            const std::uint64_t seen_head = l.ring->head.load(std::memory_order_acquire);
            idle.idle(l.header->wake_producer,
                      [&] { return l.ring->head.load(std::memory_order_acquire) != seen_head; },
                      max_sleep_ns);
        }
        idle.reset();
        std::memcpy(payload, &seq, sizeof seq);
        std::memcpy(at, payload, sizeof payload);
        ++seq;
        if (out.unpublished() >= batch) {
            out.publish();
        }
    }
    out.close();
    state.SetItemsProcessed(static_cast<std::int64_t>(seq));
    state.SetBytesProcessed(static_cast<std::int64_t>(seq * record_bytes));
}

void check(benchmark::State& state, const lane& l) {
    if (l.header->consumed.load(std::memory_order_acquire) !=
            static_cast<std::uint64_t>(state.iterations()) ||
        l.header->out_of_order.load() != 0) {
        state.SkipWithError("the consumer did not receive every record in order");
    }
}

void ring_threads(benchmark::State& state) {
    lane l;
    std::thread consuming([&] { consume(l); });
    produce(state, l, static_cast<std::uint64_t>(state.range(0)));
    consuming.join();
    check(state, l);
}

void ring_processes(benchmark::State& state) {
    lane l;
    const pid_t parent = getpid();
    const pid_t child = fork();
    if (child < 0) {
        state.SkipWithError("fork failed");
        return;
    }
    if (child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) {
            _exit(1);
        }
        consume(l);
        _exit(0);
    }
    produce(state, l, static_cast<std::uint64_t>(state.range(0)));
    int status = 0;
    while (waitpid(child, &status, 0) == -1) {
    }
    check(state, l);
}

std::int64_t monotonic_ns() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return std::int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

double thread_cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_THREAD, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// One second of records at range(0) per second, each published alone, as a quiet line sees them.
// The consumer sleeps through backoff with a 10 ms limit (a loop's timer tick). Reports the
// publish-to-peek latency (p50, p99, max, in microseconds) and the consumer's CPU use (% of a core).
void paced_latency(benchmark::State& state) {
    const auto rate = static_cast<std::int64_t>(state.range(0));
    constexpr std::int64_t paced_sleep_ns = 10'000'000;
    for (auto _ : state) {
        lane l;
        std::vector<std::int64_t> latencies;
        latencies.reserve(static_cast<std::size_t>(rate) + 1);
        double consumer_cpu = 0;
        std::thread consuming([&] {
            consumer in(l.ring, &l.header->wake_producer);
            backoff idle;
            consumer::record r{};
            const double cpu_before = thread_cpu_seconds();
            for (;;) {
                if (in.try_peek(r)) {
                    idle.reset();
                    std::int64_t stamp = 0;
                    std::memcpy(&stamp, r.data, sizeof stamp);
                    latencies.push_back(monotonic_ns() - stamp);
                    in.pop();
                    in.release();
                    continue;
                }
                if (in.finished()) {
                    break;
                }
                idle.idle(l.header->wake_consumer,
                          [&] {
                              return l.ring->tail.load(std::memory_order_acquire) != in.position() ||
                                     l.ring->closed.load(std::memory_order_acquire) != 0;
                          },
                          paced_sleep_ns);
            }
            consumer_cpu = thread_cpu_seconds() - cpu_before;
        });
        producer out(l.ring, &l.header->wake_consumer);
        const std::int64_t start = monotonic_ns();
        for (std::int64_t i = 0; i < rate; ++i) {
            const std::int64_t due = start + i * 1'000'000'000 / rate;
            const timespec at{static_cast<time_t>(due / 1'000'000'000), static_cast<long>(due % 1'000'000'000)};
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, nullptr);
            void* slot = out.try_claim(record_bytes);
            if (slot == nullptr) {
                state.SkipWithError("ring full at a paced rate");
                break;
            }
            const std::int64_t stamp = monotonic_ns();
            std::memcpy(slot, &stamp, sizeof stamp);
            out.publish();
        }
        out.close();
        consuming.join();
        const double seconds = static_cast<double>(monotonic_ns() - start) / 1e9;
        if (latencies.empty()) {
            state.SkipWithError("nothing received");
            break;
        }
        std::sort(latencies.begin(), latencies.end());
        state.counters["p50_us"] = static_cast<double>(latencies[latencies.size() / 2]) / 1e3;
        state.counters["p99_us"] = static_cast<double>(latencies[latencies.size() * 99 / 100]) / 1e3;
        state.counters["max_us"] = static_cast<double>(latencies.back()) / 1e3;
        state.counters["consumer_cpu_pct"] = 100.0 * consumer_cpu / seconds;
    }
}

// What a publish adds when nobody sleeps: the doorbell's fence and load.
void doorbell_notify_no_waiter(benchmark::State& state) {
    doorbell bell;
    for (auto _ : state) {
        bell.notify();
    }
    benchmark::DoNotOptimize(bell.seq.load());
    state.SetItemsProcessed(state.iterations());
}

} // namespace

BENCHMARK(ring_threads)->ArgName("publish_every")->Arg(1)->Arg(32)->Arg(256)->UseRealTime();
BENCHMARK(ring_processes)->ArgName("publish_every")->Arg(1)->Arg(32)->Arg(256)->UseRealTime();
BENCHMARK(paced_latency)->ArgName("records_per_s")->Arg(1000)->Iterations(1)->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(doorbell_notify_no_waiter);

BENCHMARK_MAIN();
