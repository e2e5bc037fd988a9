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
