// bench_summary: the figures of one factory-host --summary-json that the benchmark uses, as
// key=value lines a shell reads (keys are [a-z0-9_]):
//   balanced (0|1), purchased, seconds, rate (purchased / seconds), p50_ns, p99_ns, p999_ns
//   (purchase to assembly, all workshops), rss_kib_purchasing, rss_kib_transportation, and per
//   workshop i (1-based): rss_kib_workshop_i, live_workshop_i (workers still live at the end,
//   i.e. fired at shutdown), then workshops (their count); with --checkpoint also ck_taken,
//   ck_longest_ms, ck_last_bytes, ck_restore_ms, ck_kept_workers.
// Exits 1 when the file cannot be read or lacks a field, naming it; 2 on bad arguments.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <cstdint>
#include <string>

namespace {

void print(const std::string& key, double v) { std::printf("%s=%.6g\n", key.c_str(), v); }
void print(const std::string& key, std::uint64_t v) {
    std::printf("%s=%llu\n", key.c_str(), static_cast<unsigned long long>(v));
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: bench_summary SUMMARY.json\n");
        return 2;
    }
    std::ifstream in(argv[1]);
    if (!in) {
        std::fprintf(stderr, "bench_summary: cannot read %s (did factory-host write it? see its log)\n", argv[1]);
        return 1;
    }
    try {
        nlohmann::json s = nlohmann::json::parse(in);
        const auto purchased = s.at("purchased").get<std::uint64_t>();
        const double seconds = s.at("seconds").get<double>();
        print("balanced", std::uint64_t{s.at("balanced").get<bool>() ? 1u : 0u});
        print("purchased", purchased);
        print("seconds", seconds);
        print("rate", seconds > 0 ? static_cast<double>(purchased) / seconds : 0.0);
        const auto& lat = s.at("latency_ns");
        print("p50_ns", lat.at("p50").get<std::uint64_t>());
        print("p99_ns", lat.at("p99").get<std::uint64_t>());
        print("p999_ns", lat.at("p999").get<std::uint64_t>());
        const auto& rss = s.at("peak_rss_kib");
        print("rss_kib_purchasing", rss.at("purchasing").get<std::uint64_t>());
        print("rss_kib_transportation", rss.at("transportation").get<std::uint64_t>());
        std::uint64_t i = 0;
        for (const auto& w : s.at("workshops")) {
            ++i;
            print("rss_kib_workshop_" + std::to_string(i), w.at("peak_rss_kib").get<std::uint64_t>());
            print("live_workshop_" + std::to_string(i), w.at("fired").at("shutdown").get<std::uint64_t>());
        }
        print("workshops", i);
        if (s.contains("checkpoints")) {
            const auto& c = s.at("checkpoints");
            print("ck_taken", c.at("taken").get<std::uint64_t>());
            print("ck_longest_ms", c.at("longest_ms").get<double>());
            print("ck_last_bytes", c.at("last_bytes").get<std::uint64_t>());
            print("ck_restore_ms", c.at("restore_ms").get<double>());
            print("ck_kept_workers", c.at("kept_workers").get<std::uint64_t>());
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_summary: %s: %s\n", argv[1], e.what());
        return 1;
    }
    return 0;
}
