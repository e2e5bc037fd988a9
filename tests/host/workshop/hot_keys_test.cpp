#include "workshop/hot_keys.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <vector>

using namespace factory;
using namespace factory::workshop;

TEST_CASE("with no more pids than slots, the summary counts exactly", "[hot_keys]") {
    hot_keys h;
    for (std::uint64_t pid = 1; pid <= 10; ++pid)
        for (std::uint64_t k = 0; k < pid * 3; ++k) h.count(pid);
    hot_key top[4];
    REQUIRE(h.top(top, 4) == 4);
    for (int i = 0; i < 4; ++i) {
        CHECK(top[i].pid == static_cast<std::uint64_t>(10 - i));
        CHECK(top[i].count == (10 - static_cast<std::uint64_t>(i)) * 3);
        CHECK(top[i].error == 0);
    }
    CHECK(h.samples() == 165);
}

TEST_CASE("under skew the heaviest pids come first, every count bracketing the true one", "[hot_keys]") {
    // A Zipf-like stream over 10,000 pids: pid k is drawn with weight 1/k, in random order.
    std::mt19937_64 rng(7);
    std::vector<double> weights(10000);
    for (std::size_t k = 0; k < weights.size(); ++k) weights[k] = 1.0 / static_cast<double>(k + 1);
    std::discrete_distribution<std::size_t> draw(weights.begin(), weights.end());
    hot_keys h;
    std::map<std::uint64_t, std::uint64_t> truth;
    for (int i = 0; i < 200000; ++i) {
        const std::uint64_t pid = 1000 + draw(rng);
        ++truth[pid];
        h.count(pid);
    }
    hot_key top[hot_keys::slots];
    REQUIRE(h.top(top, hot_keys::slots) == hot_keys::slots);
    // Every entry's count brackets its true samples.
    for (const auto& e : top) {
        CHECK(e.count >= truth[e.pid]);
        CHECK(e.count - e.error <= truth[e.pid]);
    }
    // The heaviest pid leads, and every pid sampled more than samples/slots times is among the
    // first five (here the three heaviest: 20.4k, 10.2k and 6.8k of 200k, above 6,250).
    CHECK(top[0].pid == 1000);
    for (std::uint64_t pid = 1000; pid < 1003; ++pid) {
        REQUIRE(truth[pid] > h.samples() / hot_keys::slots);
        bool found = false;
        for (int i = 0; i < 5; ++i) found = found || top[i].pid == pid;
        CHECK(found);
    }
}

TEST_CASE("only one material in sample_every is counted, by its purchase serial", "[hot_keys]") {
    hot_keys h;
    for (std::uint64_t seq = 1; seq <= 10 * hot_keys::sample_every; ++seq) h.offer(seq, 42);
    CHECK(h.samples() == 10);
}

TEST_CASE("publishing writes the top set to the workshop's block, scaled to materials, and starts over",
          "[hot_keys]") {
    auto stats = std::make_unique<shm::workshop_stats>();
    hot_keys h;
    for (int i = 0; i < 5; ++i) h.count(7);
    h.count(9);
    publish_hot_keys(h, *stats);
    CHECK(h.samples() == 0);
    shm::hot_key_value got[shm::hot_key_slots];
    REQUIRE(shm::read_hot_keys(*stats, got) == 2);
    CHECK(got[0].pid == 7);
    CHECK(got[0].materials == 5 * hot_keys::sample_every);
    CHECK(got[1].pid == 9);
    CHECK(stats->hot_version.load() == 2);
    // The next interval replaces the set; an empty one clears it.
    publish_hot_keys(h, *stats);
    CHECK(shm::read_hot_keys(*stats, got) == 0);
}

TEST_CASE("a batch is sampled every sample_every-th material of the line, across batches", "[hot_keys]") {
    std::vector<factory_material> line(100);
    for (std::size_t i = 0; i < line.size(); ++i) line[i].pid = i;
    std::vector<const factory_material*> ptrs;
    for (const auto& m : line) ptrs.push_back(&m);
    hot_keys h;
    h.sample(ptrs.data(), 10);       // line positions 0..9: samples 0
    h.sample(ptrs.data() + 10, 30);  // 10..39: samples 16 and 32
    h.sample(ptrs.data() + 40, 60);  // 40..99: samples 48, 64, 80 and 96
    CHECK(h.samples() == 7);
    hot_key top[hot_keys::slots];
    const std::size_t n = h.top(top, hot_keys::slots);
    std::vector<std::uint64_t> pids;
    for (std::size_t i = 0; i < n; ++i) pids.push_back(top[i].pid);
    std::sort(pids.begin(), pids.end());
    CHECK(pids == std::vector<std::uint64_t>{0, 16, 32, 48, 64, 80, 96});
}

namespace {

// Space-saving as its definition reads, a scan of every entry per sample: what hot_keys must
// match entry for entry, however it finds the pid and the least counted entry.
struct plain_space_saving {
    std::vector<hot_key> entries;
    void count(std::uint64_t pid) {
        for (auto& e : entries)
            if (e.pid == pid) {
                ++e.count;
                return;
            }
        if (entries.size() < hot_keys::slots) {
            entries.push_back(hot_key{pid, 1, 0});
            return;
        }
        auto least = std::min_element(entries.begin(), entries.end(),
                                      [](const hot_key& a, const hot_key& b) { return a.count < b.count; });
        *least = hot_key{pid, least->count + 1, least->count};
    }
};

std::map<std::uint64_t, hot_key> by_pid(const hot_keys& h) {
    hot_key top[hot_keys::slots];
    std::map<std::uint64_t, hot_key> m;
    for (std::size_t i = 0, n = h.top(top, hot_keys::slots); i < n; ++i) m[top[i].pid] = top[i];
    return m;
}

} // namespace

TEST_CASE("a new pid takes the place of the first least counted entry, and the least count rises when none is left",
          "[hot_keys]") {
    hot_keys h;
    for (std::uint64_t pid = 0; pid < hot_keys::slots; ++pid) h.count(pid); // every count 1
    h.count(0);                                                             // pid 0: 2
    h.count(5);
    h.count(5);                                                             // pid 5: 3
    h.count(1000); // takes pid 1's place: the first entry counting 1
    h.count(1001); // pid 2's
    auto m = by_pid(h);
    CHECK(m.count(1) == 0);
    CHECK(m.count(2) == 0);
    CHECK(m[1000].count == 2);
    CHECK(m[1000].error == 1);
    CHECK(m[1001].count == 2);
    CHECK(m.count(3) == 1);
    // The other 28 entries counting 1 (pids 3, 4 and 6..31) go in order, to 1002..1029.
    for (std::uint64_t pid = 1002; pid < 1030; ++pid) h.count(pid);
    m = by_pid(h);
    CHECK(m.count(31) == 0);
    CHECK(m.count(0) == 1);
    CHECK(m[1029].count == 2);
    // Now the least count is 2, and the first entry counting it is pid 0's, before the others.
    h.count(2000);
    m = by_pid(h);
    CHECK(m.count(0) == 0);
    CHECK(m[2000].count == 3);
    CHECK(m[2000].error == 2);
    CHECK(m[5].count == 3);
    CHECK(m[5].error == 0);
    CHECK(m.size() == hot_keys::slots);
    CHECK(h.samples() == hot_keys::slots + 3 + 30 + 1);
}

TEST_CASE("the summary is entry for entry the plain space-saving one, across resets", "[hot_keys]") {
    std::mt19937_64 rng(11);
    hot_keys h;
    plain_space_saving plain;
    // Few pids (hits), a few more than slots (ties at the least count), many (nearly all misses),
    // and pids that differ only in their high bits.
    for (std::uint64_t pids : {20ULL, 40ULL, 5000ULL}) {
        for (std::uint64_t shift : {0U, 40U}) {
            std::uniform_int_distribution<std::uint64_t> draw(0, pids - 1);
            for (int i = 0; i < 50000; ++i) {
                const std::uint64_t pid = draw(rng) << shift;
                h.count(pid);
                plain.count(pid);
            }
            hot_key top[hot_keys::slots];
            const std::size_t n = h.top(top, hot_keys::slots);
            REQUIRE(n == plain.entries.size());
            const auto m = by_pid(h);
            for (const auto& e : plain.entries) {
                INFO("pids " << pids << ", pid " << e.pid);
                REQUIRE(m.count(e.pid) == 1);
                CHECK(m.at(e.pid).count == e.count);
                CHECK(m.at(e.pid).error == e.error);
            }
            h.reset();
            plain.entries.clear();
        }
    }
}
