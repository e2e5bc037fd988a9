// workforce::advance() by one tick (1 ms) with about a million live workers: the cost of
// contracts and inspectors per tick, renewals excluded (they are assign(), see roster_bench).
//
// Scenarios (first argument):
//   0 busy:  1,000,000 keys, each renewed ~30 times per 30 s contract: nothing goes idle; the
//            ~34 workers due per tick are rescheduled.
//   1 churn: 1,500,000 keys, 60 materials per tick: ~1.05 M live, ~18 hired and ~18 fired
//            (idle) per tick.
//   2 long:  1,000,000 keys as in busy, but a 30-minute contract (1,800,000 ticks, 27 rounds of
//            the near level: bench/json.sh's sessionize shape); warmed up in steps of 60 ticks
//            so that the workers' dues spread over the whole contract. ~0.56 workers due per tick.
// Scenarios 0 and 1 have a 30 s contract.
// Second argument: inspection interval in ticks (0: no inspector; 1000: every worker every second,
// i.e. ~1000 visits per tick).
// The clock only ever moves by one tick per iteration; materials between ticks are not timed.
// Run: wheel_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include "workshop/workforce.hpp"

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <memory>

namespace {

using namespace factory;
using namespace factory::workshop;

struct counting_hooks {
    std::uint64_t fired = 0;
    std::uint64_t visits = 0;
    void fire(worker_slot&, void* state, std::uint32_t, tick) {
        fired += *static_cast<const std::uint64_t*>(state) != 0 ? 1 : 0;
    }
    bool inspect(worker_slot&, void* state, tick) {
        ++visits;
        return *static_cast<const std::uint64_t*>(state) == ~std::uint64_t{0};
    }
};

constexpr tick contract_ticks = 30'000;
constexpr std::size_t state_size = 32;

struct scenario {
    std::uint64_t keys;
    std::uint32_t materials_per_tick;
    tick warm_up_ticks;
    tick contract;
    tick warm_up_step; // ticks per warm-up step (materials_per_tick materials each)
    bool hire_evenly;  // hire every key spread over the warm-up, as a long run would have
};

constexpr tick long_contract_ticks = 1'800'000;

constexpr scenario scenarios[] = {
    {1'000'000, 1'000, contract_ticks, contract_ticks, 1, true},                     // busy
    {1'500'000, 60, 3 * contract_ticks, contract_ticks, 1, false},                   // churn
    {1'000'000, 1'000, long_contract_ticks, long_contract_ticks, 60, true},          // long
};

struct feeder {
    std::uint64_t seed = 1;
    std::uint64_t keys;

    std::uint64_t next_pid() {
        seed += 0x9e3779b97f4a7c15ULL;
        // A key number in [0, keys), spread to a 64-bit pid.
        return ((mix(seed) & 0xffffffffULL) * keys >> 32) * 0xd6e8feb86659fd93ULL;
    }

    void materials(workforce<counting_hooks>& w, tick now, std::uint32_t count) {
        bool hired = false;
        for (std::uint32_t i = 0; i < count; ++i) {
            const std::uint64_t pid = next_pid();
            worker_slot* s = w.assign(pid, mix(pid), now, hired);
            *static_cast<std::uint64_t*>(w.state(s)) += 1;
        }
    }
};

void bm_advance(benchmark::State& state) {
    const scenario& sc = scenarios[state.range(0)];
    contract_policy policy;
    policy.contract = sc.contract;
    policy.inspect = static_cast<tick>(state.range(1));
    workforce<counting_hooks> w(counting_hooks{}, policy, state_size, 8, 0);
    w.reserve(sc.keys);
    feeder feed{1, sc.keys};

    // Warm up: in the busy scenario, hire every key spread evenly over one contract (renewing
    // only keys already hired, which would otherwise all be hired in the first few seconds and
    // come due together), so that dues are spread as in a long run.
    tick now = 0;
    const std::uint64_t hires_per_tick = sc.keys / (sc.warm_up_ticks / sc.warm_up_step) + 1;
    std::uint64_t hired_keys = 0;
    for (tick t = 0; t < sc.warm_up_ticks; t += sc.warm_up_step) {
        now += sc.warm_up_step;
        w.advance(now);
        if (sc.hire_evenly) {
            bool hired = false;
            for (std::uint64_t i = 0; i < hires_per_tick && hired_keys < sc.keys; ++i, ++hired_keys) {
                const std::uint64_t pid = hired_keys * 0xd6e8feb86659fd93ULL;
                w.assign(pid, mix(pid), now, hired);
            }
        }
        if (sc.hire_evenly) {
            feed.keys = hired_keys > 0 ? hired_keys : 1;
        }
        feed.materials(w, now, sc.materials_per_tick);
    }
    feed.keys = sc.keys;

    const auto start = w.counters();
    std::uint64_t ticks = 0;
    for (auto _ : state) {
        feed.materials(w, now, sc.materials_per_tick);
        ++now;
        const auto t0 = std::chrono::steady_clock::now();
        w.advance(now);
        const auto t1 = std::chrono::steady_clock::now();
        state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
        ++ticks;
    }
    const auto& end = w.counters();
    state.counters["live"] = static_cast<double>(w.size());
    state.counters["fired_per_tick"] =
        static_cast<double>(end.fired_total() - start.fired_total()) / static_cast<double>(ticks);
    state.counters["visits_per_tick"] =
        static_cast<double>(end.inspections - start.inspections) / static_cast<double>(ticks);
    state.counters["bytes_per_worker"] =
        static_cast<double>(w.memory_bytes()) / static_cast<double>(w.size());
}

BENCHMARK(bm_advance)
    ->ArgNames({"scenario", "inspect"})
    ->Args({0, 0})
    ->Args({0, 1000})
    ->Args({1, 0})
    ->Args({1, 1000})
    ->Args({2, 0})
    ->Args({2, 300000})
    ->UseManualTime()
    ->Iterations(3000)
    ->Unit(benchmark::kMicrosecond);

// A gap in a capture: an hour of ticks with a million live workers and no material. Every worker
// goes idle within one contract, then the clock jumps. Time per fired worker.
void bm_gap(benchmark::State& state) {
    contract_policy policy;
    policy.contract = contract_ticks;
    std::uint64_t fired = 0;
    for (auto _ : state) {
        state.PauseTiming();
        auto w = std::make_unique<workforce<counting_hooks>>(counting_hooks{}, policy, state_size, 8, 0);
        w->reserve(1'000'000);
        bool hired = false;
        for (std::uint64_t k = 0; k < 1'000'000; ++k) {
            const std::uint64_t pid = k * 0xd6e8feb86659fd93ULL;
            w->assign(pid, mix(pid), static_cast<tick>(k / 100), hired);
            if (k % 100 == 99) {
                w->advance(static_cast<tick>(k / 100 + 1));
            }
        }
        state.ResumeTiming();
        w->advance(w->now() + 3'600'000);
        state.PauseTiming();
        fired += w->counters().fired_total();
        w.reset();
        state.ResumeTiming();
    }
    state.counters["fired"] = benchmark::Counter(static_cast<double>(fired),
                                                 benchmark::Counter::kIsRate |
                                                     benchmark::Counter::kInvert);
}

BENCHMARK(bm_gap)->Unit(benchmark::kMillisecond)->Iterations(3);

} // namespace

BENCHMARK_MAIN();
