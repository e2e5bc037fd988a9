// The widget blueprint's results computed independently of factory, from the records a test
// writes: what every product should say, so a test can compare product by product.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace factory::testing {

struct input_record {
    std::uint64_t pid;
    std::uint64_t bytes;
    std::string protocol; // "tcp", "udp", "icmp" or something else ("other")
    std::int64_t time_ms;
};

struct expected_product {
    std::uint64_t pid, materials, bytes;
    std::int64_t first_ns, last_ns;
    std::string pclass;
    int end_reason;
    auto key() const { return std::tie(pid, first_ns); }
};

inline std::string pclass_of(const std::string& protocol) {
    return protocol == "tcp" || protocol == "udp" || protocol == "icmp" ? protocol : "other";
}

// `keys` pids, each with a fixed protocol; times strictly increasing by `step_ms`, except that
// every `gap_every`-th record (if non-zero) comes after a pause of `gap_ms`.
inline std::vector<input_record> make_records(std::size_t count, std::uint64_t keys, std::uint32_t seed,
                                              std::int64_t step_ms = 1, std::size_t gap_every = 0,
                                              std::int64_t gap_ms = 0) {
    std::mt19937_64 rng(seed);
    const char* protocols[] = {"tcp", "udp", "icmp", "gre"};
    std::vector<input_record> out;
    std::int64_t t = 1'700'000'000'000;
    for (std::size_t i = 0; i < count; ++i) {
        std::uint64_t pid = 1000 + rng() % keys;
        t += (gap_every != 0 && i % gap_every == gap_every - 1) ? gap_ms : step_ms;
        out.push_back({pid, 1 + rng() % 1500, protocols[pid % 4], t});
    }
    return out;
}

inline std::string to_jsonl(const std::vector<input_record>& records) {
    std::string s;
    for (const auto& r : records)
        s += nlohmann::json{{"pid", r.pid}, {"bytes", r.bytes}, {"protocol", r.protocol}, {"ts", r.time_ms}}.dump() +
             "\n";
    return s;
}

// Sessions per pid on the material clock: a record whose millisecond is `contract_ms` or more after
// its pid's previous one starts a new worker; the old one was fired idle. At the end, a worker whose
// last record is `contract_ms` or more before the latest time of the whole input was fired idle when
// the clock reached it, the others at shutdown (end reasons: 1 idle, 4 shutdown).
inline std::vector<expected_product> expect_sessions(const std::vector<input_record>& records,
                                                     std::int64_t contract_ms) {
    std::map<std::uint64_t, expected_product> open;
    std::vector<expected_product> done;
    std::int64_t latest = 0;
    for (const auto& r : records) {
        latest = std::max(latest, r.time_ms);
        auto it = open.find(r.pid);
        if (it != open.end() && r.time_ms - it->second.last_ns / 1'000'000 >= contract_ms) {
            it->second.end_reason = 1;
            done.push_back(it->second);
            open.erase(it);
            it = open.end();
        }
        if (it == open.end()) {
            expected_product p{r.pid, 0, 0, r.time_ms * 1'000'000, 0, pclass_of(r.protocol), 0};
            it = open.emplace(r.pid, p).first;
        }
        it->second.materials += 1;
        it->second.bytes += r.bytes;
        it->second.last_ns = r.time_ms * 1'000'000;
    }
    for (auto& [pid, p] : open) {
        p.end_reason = latest - p.last_ns / 1'000'000 >= contract_ms ? 1 : 4;
        done.push_back(p);
    }
    return done;
}

} // namespace factory::testing
