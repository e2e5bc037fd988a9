// The jsonl source's key rule on click lines (make_clicks.sh's shape, made here): one line's pid
// and time per iteration, with check=fields (simdjson On-Demand, the line parsed in place in a
// padded buffer) and with the SDK's reader alone (check=all), with and without a time field.
// bytes_per_second is the lines' bytes. Typed materials: key, time and sessionize's page decoded
// into its 64-byte record in the same walk (key_time_page_typed), against what the raw path costs
// per line in the workshop instead (raw_page_in_workshop: sessionize's click_reader, which copies
// the line into a padded buffer and finds the page with On-Demand).
// Run: key_rule_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include "blueprint_sessionize/click_reader.hpp"
#include "blueprint_sessionize/sessionize.hpp"
#include "source_jsonl/key_rule.hpp"
#include "source_jsonl/record_decoder.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace {

struct lines {
    std::string text;                                  // every line, then padding
    std::vector<std::pair<std::size_t, std::size_t>> at; // offset, size
};

const lines& click_lines() {
    static const lines l = [] {
        lines out;
        std::uint64_t x = 20261203;
        const char* refs[] = {"search", "home", "ad", "email", "direct"};
        char buf[160];
        for (int i = 0; i < 4096; ++i) {
            x = x * 16807 % 2147483647;
            const auto user = x % 100000;
            x = x * 16807 % 2147483647;
            const auto page = x % 200;
            const int n = std::snprintf(buf, sizeof buf,
                                        R"({"user":%llu,"ts":%llu,"page":"/product/%llu","event":"click","ref":"%s"})",
                                        static_cast<unsigned long long>(user),
                                        static_cast<unsigned long long>(1700000000000ULL + i * 11ULL),
                                        static_cast<unsigned long long>(page), refs[x % 5]);
            out.at.emplace_back(out.text.size(), static_cast<std::size_t>(n));
            out.text.append(buf, static_cast<std::size_t>(n));
            out.text.push_back('\n');
        }
        out.text.append(factory::jsonl::key_rule::padding, ' ');
        return out;
    }();
    return l;
}

void run(benchmark::State& state, const char* time_field, const char* check, bool typed = false) {
    const lines& l = click_lines();
    factory::jsonl::key_rule rule("user", time_field, "ms", check);
    rule.reserve(64 * 1024);
    const auto& schema = factory::sessionize::click_layout;
    const factory_pclass layout{"material", schema.record_size, static_cast<std::uint32_t>(schema.fields.size()),
                                schema.fields.data()};
    factory::jsonl::record_decoder decoder(layout, rule.time_exp());
    if (typed) rule.decode_into(&decoder);
    char why[192];
    std::size_t i = 0, bytes = 0;
    for (auto _ : state) {
        const auto [offset, size] = l.at[i];
        std::uint64_t pid = 0;
        std::int64_t time_ns = 0;
        const bool ok = rule.read(std::string_view(l.text.data() + offset, size), l.text.size() - offset, pid,
                                  time_ns, why, sizeof why);
        benchmark::DoNotOptimize(ok);
        benchmark::DoNotOptimize(pid);
        benchmark::DoNotOptimize(time_ns);
        bytes += size + 1;
        if (++i == l.at.size()) i = 0;
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

void key_fields(benchmark::State& s) { run(s, "", "fields"); }
void key_all(benchmark::State& s) { run(s, "", "all"); }
void key_time_fields(benchmark::State& s) { run(s, "ts", "fields"); }
void key_time_all(benchmark::State& s) { run(s, "ts", "all"); }
void key_time_page_typed(benchmark::State& s) { run(s, "ts", "fields", true); }

void raw_page_in_workshop(benchmark::State& state) {
    const lines& l = click_lines();
    factory::sessionize::click_reader reader("page", 64 * 1024);
    std::size_t i = 0, bytes = 0;
    for (auto _ : state) {
        const auto [offset, size] = l.at[i];
        std::string_view page;
        const char* why = nullptr;
        const bool ok = reader.read(std::string_view(l.text.data() + offset, size), page, why);
        benchmark::DoNotOptimize(ok);
        benchmark::DoNotOptimize(page);
        bytes += size + 1;
        if (++i == l.at.size()) i = 0;
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

} // namespace

BENCHMARK(key_fields);
BENCHMARK(key_all);
BENCHMARK(key_time_fields);
BENCHMARK(key_time_all);
BENCHMARK(key_time_page_typed);
BENCHMARK(raw_page_in_workshop);
BENCHMARK_MAIN();
