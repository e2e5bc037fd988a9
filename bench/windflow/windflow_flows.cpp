// The benchmark's shape written with WindFlow (bench/README.md, "WindFlow"): a Source making the
// synthetic flow records over K keys, keyed by pid to W parallel counting Sinks, nothing emitted.
//
//   bench_windflow[_spin] [--keys K] [--count N] [--sinks W] [--table open|std] [--batch B] [--chain 0|1]
//
// --table open: an open-addressing table per Sink (tuned); std: std::unordered_map (plain).
// --batch B: the Source's output batch size (WindFlow's withOutputBatchSize; 0: no batching).
// --chain 1: chain_sink instead of add_sink; with one Sink, built without key routing (one
//   replica needs none), WindFlow fuses it into the Source's thread: one thread, no queue.
// bench_windflow is built with FastFlow's blocking, bounded queues (BLOCKING_MODE,
// FF_BOUNDED_BUFFER), bench_windflow_spin with the library's defaults (spinning, unbounded);
// both with NO_DEFAULT_MAPPING, so that the OS schedules the threads as it does factory's processes.
//
// Prints one line of key=value pairs (keys, sinks, table, batch, records, seconds, rate,
// cpu_seconds, keys_seen, checksum) and exits 0; exits 1 when the Sinks did not count every record
// or saw more keys than exist, 2 on bad arguments.
#include "flow_source.hpp"
#include "tally_sinks.hpp"

#include <windflow.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace factory::bench::windflow {
namespace {

struct options {
    std::uint64_t keys = 5000;
    std::uint64_t count = 10'000'000;
    std::uint64_t sinks = 2;
    std::string table = "open";
    std::uint64_t batch = 1024;
    bool chain = false;
};

[[noreturn]] void usage(const std::string& why) {
    std::fprintf(stderr,
                 "bench_windflow: %s\n"
                 "usage: bench_windflow [--keys K] [--count N] [--sinks W] [--table open|std] [--batch B] [--chain 0|1]\n",
                 why.c_str());
    std::exit(2);
}

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; i += 2) {
        std::string_view key = argv[i];
        if (i + 1 >= argc) usage("option " + std::string(key) + " needs a value");
        const char* text = argv[i + 1];
        if (key == "--table") {
            o.table = text;
            if (o.table != "open" && o.table != "std") usage("--table must be open or std, not '" + o.table + "'");
            continue;
        }
        char* end = nullptr;
        const std::uint64_t v = std::strtoull(text, &end, 10);
        if (end == text || *end != '\0') usage("option " + std::string(key) + ": '" + text + "' is not a whole number");
        if (key == "--keys") o.keys = v;
        else if (key == "--count") o.count = v;
        else if (key == "--sinks") o.sinks = v;
        else if (key == "--batch") o.batch = v;
        else if (key == "--chain" && v <= 1) o.chain = v == 1;
        else if (key == "--chain") usage("--chain must be 0 or 1");
        else usage("unknown option " + std::string(key));
    }
    if (o.keys == 0) usage("--keys must be at least 1");
    if (o.count == 0) usage("--count must be at least 1");
    if (o.sinks == 0 || o.sinks > 64) usage("--sinks must be 1 to 64");
    return o;
}

double cpu_seconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return s(u.ru_utime) + s(u.ru_stime);
}

template <typename table>
int run(const options& o) {
    std::vector<sink_totals> board(o.sinks);
    // The keys one Sink should expect, with 10% to spare for the hash's unevenness, as the
    // factory's run is given --expect-workers.
    const std::uint64_t expected = (o.keys + o.sinks - 1) / o.sinks * 11 / 10;

    wf::PipeGraph graph("flows", wf::Execution_Mode_t::DEFAULT, wf::Time_Policy_t::INGRESS_TIME);
    auto source = wf::Source_Builder(flow_source(o.keys, o.count))
                      .withName("flows")
                      .withParallelism(1)
                      .withOutputBatchSize(o.batch)
                      .build();
    auto& pipe = graph.add_source(source);
    if (o.chain && o.sinks == 1) {
        // One Sink needs no key routing, and only a Sink without it can be fused into the Source.
        auto sink = wf::Sink_Builder(counting_sink<table>(expected, &board)).withName("tally").build();
        pipe.chain_sink(sink);
    } else {
        auto sink = wf::Sink_Builder(counting_sink<table>(expected, &board))
                        .withName("tally")
                        .withParallelism(o.sinks)
                        .withKeyBy([](const flow_tuple& t) -> std::uint64_t { return t.pid; })
                        .build();
        if (o.chain) pipe.chain_sink(sink);
        else pipe.add_sink(sink);
    }

    const auto started = std::chrono::steady_clock::now();
    if (graph.run() != 0) {
        std::fprintf(stderr, "bench_windflow: the WindFlow graph failed to run\n");
        return 1;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double cpu = cpu_seconds();

    sink_totals all;
    for (const sink_totals& t : board) {
        all.records += t.records;
        all.keys += t.keys;
        all.checksum += t.checksum;
    }
    std::printf("keys=%llu sinks=%llu table=%s batch=%llu records=%llu seconds=%.6f rate=%.0f cpu_seconds=%.6f "
                "keys_seen=%llu checksum=%llu\n",
                static_cast<unsigned long long>(o.keys), static_cast<unsigned long long>(o.sinks), o.table.c_str(),
                static_cast<unsigned long long>(o.batch), static_cast<unsigned long long>(all.records), seconds,
                static_cast<double>(all.records) / seconds, cpu, static_cast<unsigned long long>(all.keys),
                static_cast<unsigned long long>(all.checksum));
    if (all.records != o.count || all.keys > o.keys) {
        std::fprintf(stderr, "bench_windflow: the Sinks counted %llu records over %llu keys; expected %llu over at most %llu\n",
                     static_cast<unsigned long long>(all.records), static_cast<unsigned long long>(all.keys),
                     static_cast<unsigned long long>(o.count), static_cast<unsigned long long>(o.keys));
        return 1;
    }
    return 0;
}

} // namespace
} // namespace factory::bench::windflow

int main(int argc, char** argv) {
    using namespace factory::bench::windflow;
    const options o = parse(argc, argv);
    return o.table == "open" ? run<open_table>(o) : run<std_table>(o);
}
