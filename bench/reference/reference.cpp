// factory-reference: the yardsticks the end-to-end benchmark divides the factory's rate by, run on
// the same machine in the same minutes (bench/README.md).
//
//   factory-reference loop     [--keys N] [--seconds S]
//   factory-reference copy     [--keys N] [--seconds S] [--rate R]
//   factory-reference pipeline [--keys N] [--seconds S] [--consumers C] [--rate R]
//
// loop: one process makes materials, hashes them and counts them per pid, in batches; no queue.
// copy: a producer process makes materials into a shared ring, a consumer process reads them.
// pipeline: a producer makes and routes materials over C rings (route(mix(pid), C)), C consumer
//   processes count them per pid: the hand-written minimal factory.
// --rate R paces the producer at R materials per second as factory-host --rate does (0: as fast
// as it can); the consumers then measure each material's wait from its stamp to the start of the
// batch that reads it (p50_ns, p99_ns, p999_ns: the factory's histogram, so within 12.5%).
// Prints one line of key=value pairs (mode, keys, consumers, records, seconds, rate, keys_seen,
// and the waits for copy and pipeline) and exits 0; exits 1 when a count does not add up, 2 on
// bad arguments.
#include "stages.hpp"

#include "common/clock.hpp"

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

namespace factory::bench {
namespace {

struct options {
    std::string mode;
    std::uint64_t keys = 5000;
    double seconds = 2;
    std::uint32_t consumers = 1;
    double rate = 0;
};

[[noreturn]] void usage(const std::string& why) {
    std::fprintf(stderr,
                 "factory-reference: %s\n"
                 "usage: factory-reference loop|copy|pipeline [--keys N] [--seconds S] [--consumers C] [--rate R]\n",
                 why.c_str());
    std::exit(2);
}

options parse(int argc, char** argv) {
    if (argc < 2) usage("no mode given");
    options o;
    o.mode = argv[1];
    if (o.mode != "loop" && o.mode != "copy" && o.mode != "pipeline") usage("unknown mode '" + o.mode + "'");
    for (int i = 2; i < argc; i += 2) {
        std::string_view key = argv[i];
        if (i + 1 >= argc) usage("option " + std::string(key) + " needs a value");
        char* end = nullptr;
        const char* text = argv[i + 1];
        if (key == "--keys") o.keys = std::strtoull(text, &end, 10);
        else if (key == "--seconds") o.seconds = std::strtod(text, &end);
        else if (key == "--consumers") o.consumers = static_cast<std::uint32_t>(std::strtoul(text, &end, 10));
        else if (key == "--rate") o.rate = std::strtod(text, &end);
        else usage("unknown option " + std::string(key));
        if (end == text || *end != '\0') usage("option " + std::string(key) + ": '" + text + "' is not a number");
    }
    if (o.keys == 0) usage("--keys must be at least 1");
    if (!(o.seconds > 0)) usage("--seconds must be more than 0");
    if (o.consumers == 0 || o.consumers > 64) usage("--consumers must be 1 to 64");
    if (o.mode != "pipeline" && o.consumers != 1) usage("--consumers is for the pipeline mode only");
    if (!(o.rate >= 0)) usage("--rate must be 0 or more");
    if (o.mode == "loop" && o.rate != 0) usage("--rate is for the copy and pipeline modes");
    return o;
}

struct result {
    std::uint64_t records = 0;
    std::uint64_t keys = 0;
    double seconds = 0;
    latency_summary waits;
};

result run_loop(const options& o) {
    record_maker maker(o.keys);
    tally_map map(o.keys);
    wire_record batch[batch_size];
    std::uint64_t pids[batch_size];
    const std::int64_t start = mono_ns();
    const auto stop = start + static_cast<std::int64_t>(o.seconds * 1e9);
    std::uint64_t records = 0;
    std::int64_t now = start;
    while (now < stop) {
        const std::int64_t unix_now = unix_ns();
        for (std::size_t i = 0; i < batch_size; ++i) {
            factory_flow4 flow;
            const std::uint64_t pid = maker.next(flow);
            maker.put(batch[i], pid, flow, unix_now, now);
        }
        for (std::size_t i = 0; i < batch_size; ++i) pids[i] = batch[i].material.pid;
        tally_batch(map, pids, batch_size);
        records += batch_size;
        now = mono_ns();
    }
    result r;
    r.records = records;
    r.keys = map.size();
    r.seconds = static_cast<double>(now - start) * 1e-9;
    return r;
}

// Shared with the consumer processes: what each of them counted.
struct consumer_report {
    consumer_totals totals;
    latency_histogram waits;
    std::uint32_t done;
};

// Materials the producer may make now: a batch, or at --rate what is due by `now` (at most a
// batch), as factory-host's pacer allows. When none is due it sleeps until the next one is (at
// most 50 ms, and not past `stop`) and returns 0.
std::uint64_t paced_room(double rate, std::int64_t start, std::int64_t now, std::uint64_t produced,
                         std::int64_t stop) {
    if (rate <= 0) return batch_size;
    const auto allowed = static_cast<std::uint64_t>(static_cast<double>(now - start) * 1e-9 * rate) + 1;
    if (allowed > produced) return std::min<std::uint64_t>(batch_size, allowed - produced);
    const auto due = start + static_cast<std::int64_t>(static_cast<double>(produced) / rate * 1e9);
    const std::int64_t delay = std::clamp<std::int64_t>(std::min(due, stop) - now, 0, 50'000'000);
    if (delay > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(delay));
    return 0;
}

// The most keys one of `consumers` consumers may see: its share plus a margin of four standard
// deviations (routing by hash is a binomial draw). The map cannot grow, so it must hold them.
std::uint64_t keys_per_consumer(std::uint64_t keys, std::size_t consumers) {
    const double share = static_cast<double>(keys) / static_cast<double>(consumers);
    return std::min<std::uint64_t>(keys, static_cast<std::uint64_t>(share + 4 * std::sqrt(share) + 64));
}

// Forks one consumer per ring; each drains its ring and writes its report, then exits.
void start_consumers(std::deque<copy_ring>& rings, consumer_report* reports, bool count,
                     std::uint64_t keys) {
    for (std::size_t i = 0; i < rings.size(); ++i) {
        pid_t pid = ::fork();
        if (pid < 0) {
            std::perror("factory-reference: fork");
            std::exit(1);
        }
        if (pid == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            std::unique_ptr<tally_map> map;
            if (count) map = std::make_unique<tally_map>(keys_per_consumer(keys, rings.size()));
            reports[i].totals = drain(rings[i], map.get(), reports[i].waits);
            reports[i].done = 1;
            std::_Exit(0);
        }
    }
}

result run_rings(const options& o) {
    const bool count = o.mode == "pipeline";
    std::deque<copy_ring> rings;
    for (std::uint32_t i = 0; i < o.consumers; ++i) rings.emplace_back();
    void* at = ::mmap(nullptr, sizeof(consumer_report) * o.consumers, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (at == MAP_FAILED) {
        std::perror("factory-reference: mmap");
        std::exit(1);
    }
    // Zero-filled by mmap: every count starts at 0.
    auto* reports = static_cast<consumer_report*>(at);
    start_consumers(rings, reports, count, o.keys);

    record_maker maker(o.keys);
    const std::int64_t start = mono_ns();
    const auto stop = start + static_cast<std::int64_t>(o.seconds * 1e9);
    std::uint64_t produced = 0;
    for (std::int64_t now = start; now < stop; now = mono_ns()) {
        const std::uint64_t room = paced_room(o.rate, start, now, produced, stop);
        if (room == 0) continue;
        const std::int64_t unix_now = unix_ns();
        if (!count) {
            copy_ring& ring = rings.front();
            ring.claim(room);
            for (std::size_t i = 0; i < room; ++i) {
                factory_flow4 flow;
                const std::uint64_t pid = maker.next(flow);
                maker.put(ring.at(i), pid, flow, unix_now, now);
            }
            ring.commit(room);
            ring.publish();
        } else {
            for (std::size_t i = 0; i < room; ++i) {
                factory_flow4 flow;
                const std::uint64_t pid = maker.next(flow);
                copy_ring& ring = rings[route(mix(pid), o.consumers)];
                ring.claim(1);
                maker.put(ring.at(0), pid, flow, unix_now, now);
                ring.commit(1);
            }
            for (auto& ring : rings) ring.publish();
        }
        produced += room;
    }
    for (auto& ring : rings) ring.close();
    bool clean = true;
    for (std::uint32_t i = 0; i < o.consumers; ++i) {
        int status = 0;
        if (::wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) clean = false;
    }
    const std::int64_t end = mono_ns();
    result r;
    for (std::uint32_t i = 0; i < o.consumers; ++i) {
        if (reports[i].done == 0) clean = false;
        r.records += reports[i].totals.records;
        r.keys += reports[i].totals.keys;
        r.waits.add(reports[i].waits);
    }
    if (!clean || r.records != produced) {
        std::fprintf(stderr, "factory-reference: %s: produced %llu materials, consumers counted %llu%s\n",
                     o.mode.c_str(), static_cast<unsigned long long>(produced),
                     static_cast<unsigned long long>(r.records), clean ? "" : " (a consumer failed)");
        std::exit(1);
    }
    r.seconds = static_cast<double>(end - start) * 1e-9;
    return r;
}

} // namespace
} // namespace factory::bench

int main(int argc, char** argv) {
    using namespace factory::bench;
    const options o = parse(argc, argv);
    const result r = o.mode == "loop" ? run_loop(o) : run_rings(o);
    std::printf("mode=%s keys=%llu consumers=%u records=%llu seconds=%.6f rate=%.0f keys_seen=%llu",
                o.mode.c_str(), static_cast<unsigned long long>(o.keys), o.consumers,
                static_cast<unsigned long long>(r.records), r.seconds,
                static_cast<double>(r.records) / r.seconds, static_cast<unsigned long long>(r.keys));
    if (o.mode != "loop")
        std::printf(" p50_ns=%llu p99_ns=%llu p999_ns=%llu", static_cast<unsigned long long>(r.waits.quantile(0.5)),
                    static_cast<unsigned long long>(r.waits.quantile(0.99)),
                    static_cast<unsigned long long>(r.waits.quantile(0.999)));
    std::printf("\n");
    return 0;
}
