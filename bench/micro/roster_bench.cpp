// workforce::assign() on a steady roster: every material finds its worker, renews it, counts it
// and touches its state, as the director does for a batch taken off the production line.
//
// Arguments: live keys, batch size, prefetch mode.
//   mode 0: no prefetch.
//   mode 1: prefetch every home slot of the batch first, then assign the batch.
//   mode D > 1: rolling prefetch, D materials ahead of the one being assigned.
// Keys are visited in uniformly random order (the worst case for caches: real traffic is skewed).
// Run: roster_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include "workshop/workforce.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

namespace {

using namespace factory;
using namespace factory::workshop;

struct no_hooks {
    void fire(worker_slot&, void*, std::uint32_t, tick) {}
    bool inspect(worker_slot&, void*, tick) { return false; }
};

constexpr std::size_t state_size = 32; // a small per-flow record: counters and times
constexpr std::size_t stream_length = std::size_t{1} << 22;

std::uint64_t next_random(std::uint64_t& s) {
    s += 0x9e3779b97f4a7c15ULL;
    return mix(s);
}

struct fixture {
    workforce<no_hooks> workers;
    std::vector<std::uint64_t> stream; // pids in arrival order

    explicit fixture(std::size_t keys) : workers(no_hooks{}, make_policy(), state_size, 8, 0) {
        std::uint64_t seed = 42;
        std::vector<std::uint64_t> pids(keys);
        for (auto& pid : pids) {
            pid = next_random(seed);
            bool hired = false;
            workers.assign(pid, mix(pid), 0, hired);
        }
        stream.resize(stream_length);
        for (auto& pid : stream) {
            pid = pids[next_random(seed) % keys];
        }
    }

    static contract_policy make_policy() {
        contract_policy p;
        p.contract = 3'600'000; // an hour: nothing fires during the benchmark
        return p;
    }
};

// One fixture per key count and user, built once: hiring a million workers is not what is
// measured.
fixture& fixture_for(std::size_t keys, int user) {
    static std::map<std::pair<std::size_t, int>, std::unique_ptr<fixture>> fixtures;
    auto& f = fixtures[{keys, user}];
    if (!f) {
        f = std::make_unique<fixture>(keys);
    }
    return *f;
}

inline void use(workforce<no_hooks>& w, worker_slot* s) {
    auto* counters = static_cast<std::uint64_t*>(w.state(s));
    counters[0] += 1;
    counters[1] += s->last_seen;
}

void bm_assign(benchmark::State& state) {
    const auto keys = static_cast<std::size_t>(state.range(0));
    const auto batch = static_cast<std::size_t>(state.range(1));
    const auto mode = static_cast<std::size_t>(state.range(2));
    fixture& f = fixture_for(keys, 0);
    workforce<no_hooks>& w = f.workers;
    std::vector<std::uint64_t> mixed(batch);
    std::size_t at = 0;
    const tick now = 0;
    for (auto _ : state) {
        const std::uint64_t* pids = f.stream.data() + at;
        at = at + batch < stream_length ? at + batch : 0;
        for (std::size_t i = 0; i < batch; ++i) {
            mixed[i] = mix(pids[i]);
        }
        bool hired = false;
        if (mode == 0) {
            for (std::size_t i = 0; i < batch; ++i) {
                use(w, w.assign(pids[i], mixed[i], now, hired));
            }
        } else if (mode == 1) {
            for (std::size_t i = 0; i < batch; ++i) {
                w.prefetch(mixed[i]);
            }
            for (std::size_t i = 0; i < batch; ++i) {
                use(w, w.assign(pids[i], mixed[i], now, hired));
            }
        } else {
            const std::size_t ahead = mode < batch ? mode : batch;
            for (std::size_t i = 0; i < ahead; ++i) {
                w.prefetch(mixed[i]);
            }
            for (std::size_t i = 0; i < batch; ++i) {
                if (i + ahead < batch) {
                    w.prefetch(mixed[i + ahead]);
                }
                use(w, w.assign(pids[i], mixed[i], now, hired));
            }
        }
        benchmark::DoNotOptimize(hired);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
    state.counters["bytes_per_worker"] =
        static_cast<double>(w.memory_bytes()) / static_cast<double>(w.size());
}

void assign_args(benchmark::internal::Benchmark* b) {
    b->ArgNames({"keys", "batch", "prefetch"});
    for (const std::int64_t keys : {5'000, 1'000'000}) {
        for (const std::int64_t batch : {32, 256}) {
            for (const std::int64_t mode : {0, 1, 8, 16}) {
                b->Args({keys, batch, mode});
            }
        }
    }
}

BENCHMARK(bm_assign)->Apply(assign_args);

// Hire and fire: a key that appears once (the cost of a new worker and of its departure).
void bm_hire_fire(benchmark::State& state) {
    const auto keys = static_cast<std::size_t>(state.range(0));
    // Its own fixture: every fire leaves a stale wheel entry (dropped only when its tick comes,
    // which this benchmark never reaches), so the wheel grows here.
    fixture& f = fixture_for(keys, 1);
    workforce<no_hooks>& w = f.workers;
    std::uint64_t seed = 7;
    for (auto _ : state) {
        const std::uint64_t pid = next_random(seed); // a fresh random key
        const std::uint64_t m = mix(pid);
        bool hired = false;
        use(w, w.assign(pid, m, 0, hired));
        w.fire(pid, m, FACTORY_FIRED_DONE, 0);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

BENCHMARK(bm_hire_fire)->Arg(5'000)->Arg(1'000'000)->ArgName("keys");

} // namespace

BENCHMARK_MAIN();
