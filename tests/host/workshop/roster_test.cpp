#include "workshop/roster.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <random>
#include <stdexcept>
#include <unordered_map>
#include <vector>

using namespace factory;
using namespace factory::workshop;

namespace {

// The state bytes a test writes for a pid: derived from the pid and a version, so that a moved or
// mixed-up state shows.
void stamp(void* state, std::size_t size, std::uint64_t pid, std::uint32_t version) {
    auto* p = static_cast<unsigned char*>(state);
    for (std::size_t i = 0; i < size; ++i) {
        p[i] = static_cast<unsigned char>(mix(pid + i) ^ version);
    }
}

bool stamped(const void* state, std::size_t size, std::uint64_t pid, std::uint32_t version) {
    const auto* p = static_cast<const unsigned char*>(state);
    for (std::size_t i = 0; i < size; ++i) {
        if (p[i] != static_cast<unsigned char>(mix(pid + i) ^ version)) {
            return false;
        }
    }
    return true;
}

} // namespace

TEST_CASE("slot layout follows the state's size and alignment", "[roster]") {
    CHECK(roster(0, 1).stride() == 24);
    CHECK(roster(1, 1).stride() == 32);
    CHECK(roster(8, 8).stride() == 32);
    CHECK(roster(40, 8).stride() == 64);
    CHECK(roster(16, 16).stride() == 48); // state at offset 32
    CHECK_THROWS_AS(roster(8, 32), std::invalid_argument);
    CHECK_THROWS_AS(roster(8, 3), std::invalid_argument);

    roster r(20, 16);
    for (std::uint64_t pid = 0; pid < 100; ++pid) {
        worker_slot* s = r.insert(pid, mix(pid));
        CHECK(reinterpret_cast<std::uintptr_t>(r.state(s)) % 16 == 0);
        CHECK(reinterpret_cast<std::uintptr_t>(s) % 8 == 0);
    }
}

TEST_CASE("insert gives a live slot with zeroed state, even where an erased worker was",
          "[roster]") {
    roster r(32, 8);
    worker_slot* s = r.insert(7, mix(7));
    CHECK(s->pid == 7);
    CHECK(s->materials == 1);
    std::memset(r.state(s), 0xab, 32);
    r.erase(s);
    CHECK(r.find(7, mix(7)) == nullptr);
    CHECK(r.size() == 0);

    s = r.insert(7, mix(7));
    const auto* bytes = static_cast<const unsigned char*>(r.state(s));
    for (int i = 0; i < 32; ++i) {
        REQUIRE(bytes[i] == 0);
    }
    // pid 0 is a key like any other: emptiness is marked by materials, not the pid.
    worker_slot* zero = r.insert(0, mix(0));
    CHECK(r.find(0, mix(0)) == zero);
}

TEST_CASE("find_or_insert finds first, inserts once", "[roster]") {
    roster r(8, 8);
    bool inserted = false;
    worker_slot* a = r.find_or_insert(42, mix(42), inserted);
    CHECK(inserted);
    worker_slot* b = r.find_or_insert(42, mix(42), inserted);
    CHECK_FALSE(inserted);
    CHECK(a == b);
    CHECK(r.size() == 1);
}

TEST_CASE("backward-shift deletion keeps every other key findable (model check)", "[roster]") {
    constexpr std::size_t state_size = 20;
    std::mt19937_64 rng(12345);
    // Few distinct keys against a small table: long clusters, clusters that wrap past the end,
    // and the load right up to the growth limit.
    for (const std::uint64_t key_space : {20ULL, 60ULL, 400ULL, 5000ULL}) {
        roster r(state_size, 4);
        std::unordered_map<std::uint64_t, std::uint32_t> model; // pid -> version of its state
        std::uniform_int_distribution<std::uint64_t> key(0, key_space - 1);
        std::uint32_t version = 0;
        for (int op = 0; op < 40000; ++op) {
            const std::uint64_t pid = key(rng) * 0x9e3779b97f4a7c15ULL; // spread, yet repeatable
            worker_slot* s = r.find(pid, mix(pid));
            const auto it = model.find(pid);
            REQUIRE((s != nullptr) == (it != model.end()));
            if (s != nullptr) {
                REQUIRE(s->pid == pid);
                REQUIRE(stamped(r.state(s), state_size, pid, it->second));
                if (rng() % 2 == 0) {
                    r.erase(s);
                    model.erase(it);
                }
            } else {
                s = r.insert(pid, mix(pid));
                stamp(r.state(s), state_size, pid, ++version);
                model.emplace(pid, version);
            }
            REQUIRE(r.size() == model.size());
            if (op % 4096 == 0) {
                // Every key the model holds is still reachable, with its own state.
                for (const auto& [p, v] : model) {
                    const worker_slot* w = r.find(p, mix(p));
                    REQUIRE(w != nullptr);
                    REQUIRE(stamped(r.state(const_cast<worker_slot*>(w)), state_size, p, v));
                }
            }
        }
        std::size_t visited = 0;
        r.for_each([&](worker_slot& w) {
            ++visited;
            REQUIRE(model.count(w.pid) == 1);
        });
        CHECK(visited == model.size());
    }
}

TEST_CASE("growth rehashes every worker with its state and header", "[roster]") {
    constexpr std::size_t state_size = 12;
    roster r(state_size, 4);
    const std::size_t first_capacity = r.capacity();
    for (std::uint64_t pid = 1; pid <= 20000; ++pid) {
        worker_slot* s = r.insert(pid, mix(pid));
        s->last_seen = static_cast<tick>(pid * 3);
        s->materials = static_cast<std::uint32_t>(pid + 1);
        stamp(r.state(s), state_size, pid, 1);
    }
    CHECK(r.capacity() > first_capacity);
    CHECK(r.size() * roster::load_den <= r.capacity() * roster::load_num);
    for (std::uint64_t pid = 1; pid <= 20000; ++pid) {
        worker_slot* s = r.find(pid, mix(pid));
        REQUIRE(s != nullptr);
        REQUIRE(s->last_seen == pid * 3);
        REQUIRE(s->materials == pid + 1);
        REQUIRE(stamped(r.state(s), state_size, pid, 1));
    }
    CHECK(r.find(20001, mix(20001)) == nullptr);
}

TEST_CASE("reserve pre-sizes so that inserts never rehash", "[roster]") {
    roster r(16, 8, 100000);
    const std::size_t capacity = r.capacity();
    CHECK(capacity * roster::load_num / roster::load_den >= 100000);
    worker_slot* first = r.insert(1, mix(1));
    for (std::uint64_t pid = 2; pid <= 100000; ++pid) {
        r.insert(pid, mix(pid));
    }
    CHECK(r.capacity() == capacity);
    // No rehash happened, so the first worker has not moved.
    CHECK(r.find(1, mix(1)) == first);
}

TEST_CASE("clear empties the roster and keeps its capacity", "[roster]") {
    roster r(8, 8);
    for (std::uint64_t pid = 0; pid < 1000; ++pid) {
        r.insert(pid, mix(pid));
    }
    const std::size_t capacity = r.capacity();
    r.clear();
    CHECK(r.size() == 0);
    CHECK(r.capacity() == capacity);
    CHECK(r.find(5, mix(5)) == nullptr);
    std::size_t visited = 0;
    r.for_each([&](worker_slot&) { ++visited; });
    CHECK(visited == 0);
}
