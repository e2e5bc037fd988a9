#include "workshop/workforce.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <set>
#include <vector>

using namespace factory;
using namespace factory::workshop;

namespace {

struct fired_event {
    std::uint64_t pid;
    std::uint32_t reason;
    tick at;
    std::uint32_t materials;
};

// Records every call; the test's clock is the plain tick values it passes in. inspect() counts
// visits in the first 4 bytes of the state, so a workforce with an inspector needs at least 4.
struct recording_hooks {
    std::vector<fired_event> fired;
    std::vector<std::pair<std::uint64_t, tick>> visits;
    std::map<std::uint64_t, std::size_t> done_after_visits; // pid -> visit that says "done"

    void fire(worker_slot& w, void* /*state*/, std::uint32_t reason, tick now) {
        fired.push_back({w.pid, reason, now, w.materials});
    }
    bool inspect(worker_slot& w, void* state, tick now) {
        visits.emplace_back(w.pid, now);
        std::uint32_t count = 0;
        std::memcpy(&count, state, sizeof count);
        ++count;
        std::memcpy(state, &count, sizeof count);
        const auto it = done_after_visits.find(w.pid);
        return it != done_after_visits.end() && count >= it->second;
    }
};

using test_workforce = workforce<recording_hooks>;

contract_policy policy(tick contract, tick inspect = 0, tick max_age = 0,
                       std::uint64_t max_workers = 0) {
    contract_policy p;
    p.contract = contract;
    p.inspect = inspect;
    p.max_age = max_age;
    p.max_workers = max_workers;
    return p;
}

// What the director does with a material: advance to its tick, then assign.
worker_slot* material(test_workforce& w, std::uint64_t pid, tick now, bool& hired) {
    w.advance(now);
    return w.assign(pid, mix(pid), now, hired);
}

worker_slot* material(test_workforce& w, std::uint64_t pid, tick now) {
    bool hired = false;
    return material(w, pid, now, hired);
}

std::vector<tick> visit_ticks(const recording_hooks& h, std::uint64_t pid) {
    std::vector<tick> ticks;
    for (const auto& [p, t] : h.visits) {
        if (p == pid) {
            ticks.push_back(t);
        }
    }
    return ticks;
}

} // namespace

TEST_CASE("every material renews the contract", "[workforce]") {
    test_workforce w({}, policy(100), 8, 8, 0);
    bool hired = false;
    material(w, 1, 0, hired);
    CHECK(hired);
    tick t = 0;
    for (int i = 0; i < 500; ++i) {
        t += 99;
        worker_slot* s = material(w, 1, t, hired);
        REQUIRE_FALSE(hired);
        REQUIRE(s->last_seen == t);
        REQUIRE(s->hired == 0);
    }
    CHECK(w.hooks().fired.empty());
    CHECK(w.counters().hired == 1);
    CHECK(w.find(1, mix(1))->materials == 501);
}

TEST_CASE("a worker is fired after exactly the idle time, not a tick early or late",
          "[workforce]") {
    test_workforce w({}, policy(50), 0, 1, 990);
    material(w, 9, 1000);
    material(w, 9, 1020); // renewal: the contract now ends at 1070
    w.advance(1069);
    CHECK(w.hooks().fired.empty());
    CHECK(w.size() == 1);
    w.advance(1070);
    REQUIRE(w.hooks().fired.size() == 1);
    CHECK(w.hooks().fired[0].pid == 9);
    CHECK(w.hooks().fired[0].reason == FACTORY_FIRED_IDLE);
    CHECK(w.hooks().fired[0].at == 1070);
    CHECK(w.hooks().fired[0].materials == 2);
    CHECK(w.size() == 0);
    CHECK(w.counters().fired[FACTORY_FIRED_IDLE] == 1);
}

TEST_CASE("a material at exactly last_seen + contract finds a new worker", "[workforce]") {
    test_workforce w({}, policy(30), 4, 4, 0);
    material(w, 5, 10);
    bool hired = false;
    worker_slot* s = material(w, 5, 40, hired);
    CHECK(hired);
    CHECK(s->materials == 1);
    CHECK(s->hired == 40);
    REQUIRE(w.hooks().fired.size() == 1);
    CHECK(w.hooks().fired[0].at == 40);
    CHECK(w.hooks().fired[0].reason == FACTORY_FIRED_IDLE);

    // One tick earlier the old worker is still there.
    material(w, 5, 69, hired);
    CHECK_FALSE(hired);
}

TEST_CASE("a late material counts but does not move last_seen back", "[workforce]") {
    test_workforce w({}, policy(100), 0, 1, 0);
    material(w, 3, 50);
    w.advance(60);
    bool hired = false;
    worker_slot* s = w.assign(3, mix(3), 20, hired);
    CHECK_FALSE(hired);
    CHECK(s->last_seen == 50);
    CHECK(s->materials == 2);
    w.advance(149);
    CHECK(w.size() == 1);
    w.advance(150);
    CHECK(w.size() == 0);
}

TEST_CASE("the inspector visits at every hired + k * inspect, and done fires", "[workforce]") {
    test_workforce w({}, policy(1000, 7), 4, 4, 0);
    material(w, 1, 5);
    material(w, 2, 6);
    w.hooks().done_after_visits[2] = 4;
    // Keep pid 1 alive with a material every 500 ticks until 3000; it then goes idle at 4000.
    for (tick t = 500; t <= 3000; t += 500) {
        material(w, 1, t);
    }
    w.advance(5000);

    std::vector<tick> expected;
    for (tick t = 5 + 7; t < 4000; t += 7) {
        expected.push_back(t);
    }
    CHECK(visit_ticks(w.hooks(), 1) == expected);
    CHECK(w.hooks().visits.size() == expected.size() + 4);

    // pid 2: visits at 13, 20, 27, 34; the fourth says done.
    CHECK(visit_ticks(w.hooks(), 2) == std::vector<tick>{13, 20, 27, 34});
    REQUIRE(w.hooks().fired.size() == 2);
    CHECK(w.hooks().fired[0].pid == 2);
    CHECK(w.hooks().fired[0].reason == FACTORY_FIRED_DONE);
    CHECK(w.hooks().fired[0].at == 34);
    CHECK(w.hooks().fired[1].pid == 1);
    CHECK(w.hooks().fired[1].reason == FACTORY_FIRED_IDLE);
    CHECK(w.hooks().fired[1].at == 4000);
    CHECK(w.counters().inspections == expected.size() + 4);
    CHECK(w.counters().fired[FACTORY_FIRED_DONE] == 1);
}

TEST_CASE("no visit at a tick where the worker goes idle", "[workforce]") {
    test_workforce w({}, policy(20, 10), 4, 4, 0);
    material(w, 1, 0);
    w.advance(100);
    CHECK(visit_ticks(w.hooks(), 1) == std::vector<tick>{10});
    REQUIRE(w.hooks().fired.size() == 1);
    CHECK(w.hooks().fired[0].at == 20);
    CHECK(w.hooks().fired[0].reason == FACTORY_FIRED_IDLE);
}

TEST_CASE("max age fires a busy worker at exactly hired + max_age", "[workforce]") {
    test_workforce w({}, policy(100, 0, 1000), 0, 1, 0);
    material(w, 4, 3);
    for (tick t = 13; t < 1003; t += 10) {
        material(w, 4, t);
    }
    w.advance(1002);
    CHECK(w.hooks().fired.empty());
    bool hired = false;
    material(w, 4, 1003, hired);
    CHECK(hired); // the old one left at 1003, this material starts a new one
    REQUIRE(w.hooks().fired.size() == 1);
    CHECK(w.hooks().fired[0].reason == FACTORY_FIRED_MAX_AGE);
    CHECK(w.hooks().fired[0].at == 1003);
    CHECK(w.hooks().fired[0].materials == 100);
}

TEST_CASE("at max_workers, hiring evicts the worker due soonest", "[workforce]") {
    test_workforce w({}, policy(100, 0, 0, 3), 0, 1, 0);
    material(w, 1, 0);  // due 100
    material(w, 2, 10); // due 110
    material(w, 3, 20); // due 120
    material(w, 1, 30); // renewed: really due 130 now, though its entry still says 100
    bool hired = false;
    material(w, 4, 40, hired);
    CHECK(hired);
    CHECK(w.size() == 3);
    REQUIRE(w.hooks().fired.size() == 1);
    CHECK(w.hooks().fired[0].pid == 2);
    CHECK(w.hooks().fired[0].reason == FACTORY_FIRED_EVICTED);
    CHECK(w.hooks().fired[0].at == 40);
    CHECK(w.find(2, mix(2)) == nullptr);

    material(w, 5, 41);
    REQUIRE(w.hooks().fired.size() == 2);
    CHECK(w.hooks().fired[1].pid == 3);
    CHECK(w.counters().fired[FACTORY_FIRED_EVICTED] == 2);

    // The survivors still go idle on time: 1 at 130, 4 at 140, 5 at 141.
    w.advance(200);
    std::vector<std::pair<std::uint64_t, tick>> idle;
    for (const fired_event& e : w.hooks().fired) {
        if (e.reason == FACTORY_FIRED_IDLE) {
            idle.emplace_back(e.pid, e.at);
        }
    }
    CHECK(idle == std::vector<std::pair<std::uint64_t, tick>>{{1, 130}, {4, 140}, {5, 141}});
}

TEST_CASE("fire_all fires every worker exactly once and empties the roster", "[workforce]") {
    test_workforce w({}, policy(1000, 10), 16, 8, 0);
    for (std::uint64_t pid = 0; pid < 5000; ++pid) {
        material(w, pid, static_cast<tick>(pid / 100));
    }
    w.fire(17, mix(17), FACTORY_FIRED_DONE, 50);
    w.fire_all(FACTORY_FIRED_SHUTDOWN, 60);
    std::set<std::uint64_t> seen;
    for (const fired_event& e : w.hooks().fired) {
        if (e.pid == 17) {
            REQUIRE(e.reason == FACTORY_FIRED_DONE);
        } else {
            REQUIRE(e.reason == FACTORY_FIRED_SHUTDOWN);
            REQUIRE(e.at == 60);
        }
        REQUIRE(seen.insert(e.pid).second);
    }
    CHECK(seen.size() == 5000);
    CHECK(w.size() == 0);
    CHECK(w.counters().fired[FACTORY_FIRED_SHUTDOWN] == 4999);
    // Nothing is left to fire later, and a returning pid is a new hire.
    w.advance(5000);
    CHECK(w.hooks().fired.size() == 5000);
    bool hired = false;
    material(w, 3, 5001, hired);
    CHECK(hired);
}

TEST_CASE("dismiss removes a worker without the fire hook, and the counts balance",
          "[workforce]") {
    test_workforce w({}, policy(100), 0, 1, 0);
    material(w, 1, 0);
    material(w, 2, 0);
    material(w, 3, 0);
    CHECK(w.dismiss(2, mix(2)));
    CHECK_FALSE(w.dismiss(2, mix(2)));
    CHECK(w.find(2, mix(2)) == nullptr);
    w.fire(3, mix(3), FACTORY_FIRED_DONE, 0);
    // The dismissed worker's wheel entry is stale: nothing fires for it at 100.
    w.advance(100);
    REQUIRE(w.hooks().fired.size() == 2);
    CHECK(w.hooks().fired[0].pid == 3);
    CHECK(w.hooks().fired[1].pid == 1);
    const workforce_counters& c = w.counters();
    CHECK(c.dismissed == 1);
    CHECK(c.hired == c.fired_total() + c.dismissed + w.size());
}

TEST_CASE("start sets the clock of an empty workforce, such as at the first capture time",
          "[workforce]") {
    test_workforce w({}, policy(50), 0, 1);
    CHECK(w.now() == 0);
    const tick first = 0xc0000000U; // far from 0, more than 2^31 ticks ahead of it
    w.start(first);
    CHECK(w.now() == first);
    material(w, 1, first + 1);
    w.advance(first + 50);
    CHECK(w.size() == 1);
    w.advance(first + 51);
    CHECK(w.size() == 0);
    material(w, 2, first + 60);
    CHECK_THROWS_AS(w.start(5), std::logic_error);
}

TEST_CASE("disable_inspections stops the inspector", "[workforce]") {
    test_workforce w({}, policy(1000, 10), 4, 4, 0);
    w.disable_inspections();
    CHECK(w.wheel().bucket_count() == 1024); // sized for the contract again
    material(w, 1, 0);
    w.advance(2000);
    CHECK(w.hooks().visits.empty());
    CHECK(w.counters().inspections == 0);
    REQUIRE(w.hooks().fired.size() == 1);
    CHECK(w.hooks().fired[0].at == 1000);
}

TEST_CASE("fire of a pid that has no worker does nothing", "[workforce]") {
    test_workforce w({}, policy(10), 0, 1, 0);
    CHECK_FALSE(w.fire(1, mix(1), FACTORY_FIRED_DONE, 0));
    CHECK(w.hooks().fired.empty());
}

TEST_CASE("contracts and inspections work across the 2^32 tick wrap", "[workforce]") {
    const tick start = 0xffffff00U;
    test_workforce w({}, policy(300, 64), 4, 4, start);
    material(w, 1, start + 10); // hired at 0xffffff0a
    material(w, 1, 0xfffffff0U);
    material(w, 1, 0x20);       // after the wrap
    w.advance(0x20 + 299);
    CHECK(w.hooks().fired.empty());
    w.advance(0x20 + 300);
    REQUIRE(w.hooks().fired.size() == 1);
    CHECK(w.hooks().fired[0].at == 0x20 + 300);
    // Alive for 0x20 + 300 - (start + 10) = 578 ticks: visits at ages 64 .. 576.
    std::vector<tick> expected;
    for (tick k = 1; k <= 9; ++k) {
        expected.push_back(start + 10 + k * 64);
    }
    CHECK(visit_ticks(w.hooks(), 1) == expected);
    CHECK(expected[3] == 0x0a); // the visits do cross the wrap
}

TEST_CASE("a jump of a billion ticks fires everyone at the right tick and lands on time",
          "[workforce]") {
    test_workforce w({}, policy(1000, 100, 0), 8, 8, 0);
    const auto hired_at = [](std::uint64_t pid) { return static_cast<tick>(pid * 700 / 20000); };
    for (std::uint64_t pid = 0; pid < 20000; ++pid) {
        material(w, pid, hired_at(pid));
    }
    const tick target = 1'000'000'000;
    w.advance(target);
    CHECK(w.now() == target);
    CHECK(w.size() == 0);
    REQUIRE(w.hooks().fired.size() == 20000);
    for (const fired_event& e : w.hooks().fired) {
        REQUIRE(e.reason == FACTORY_FIRED_IDLE);
        REQUIRE(e.at == hired_at(e.pid) + 1000);
    }
    // Visits at +100 .. +900: the +1000 one coincides with going idle.
    CHECK(w.counters().inspections == 20000 * 9);

    // Work goes on normally after the jump.
    bool hired = false;
    material(w, 1, target + 5, hired);
    CHECK(hired);
    w.advance(target + 1004);
    CHECK(w.size() == 1);
    w.advance(target + 1005);
    CHECK(w.size() == 0);
}

TEST_CASE("a jump with a worker that outlives the gap", "[workforce]") {
    // Contract longer than the wheel (max_buckets): the entry waits in its bucket round after round.
    const tick contract = 500'000;
    test_workforce w({}, policy(contract, 65536), 4, 4, 0);
    CHECK(w.wheel().bucket_count() == timer_wheel::max_buckets);
    material(w, 1, 10);
    material(w, 2, 20);
    material(w, 2, 400'000);
    w.advance(contract + 9);
    CHECK(w.size() == 2);
    w.advance(contract + 10);
    CHECK(w.size() == 1);
    w.advance(400'000 + contract - 1);
    CHECK(w.size() == 1);
    w.advance(400'000 + contract + 100'000'000);
    REQUIRE(w.hooks().fired.size() == 2);
    CHECK(w.hooks().fired[0].at == contract + 10);
    CHECK(w.hooks().fired[1].at == 400'000 + contract);
    // Inspection every 65536 ticks is a whole number of wheel rounds: rescheduled into the very
    // bucket being swept.
    std::vector<tick> expected;
    for (tick t = 20 + 65536; t < 400'000 + contract; t += 65536) {
        expected.push_back(t);
    }
    CHECK(visit_ticks(w.hooks(), 2) == expected);
}

TEST_CASE("a contract longer than the wheel still ends on the exact tick", "[workforce]") {
    const tick contract = 300'000; // over four rounds of a 65536-bucket wheel
    test_workforce w({}, policy(contract), 0, 1, 0);
    material(w, 1, 10);
    material(w, 2, 10);
    material(w, 2, 200'000);
    w.advance(contract + 9);
    CHECK(w.size() == 2);
    w.advance(contract + 10);
    CHECK(w.size() == 1);
    w.advance(200'000 + contract - 1);
    CHECK(w.size() == 1);
    w.advance(200'000 + contract);
    CHECK(w.size() == 0);
    REQUIRE(w.hooks().fired.size() == 2);
    CHECK(w.hooks().fired[1].at == 200'000 + contract);
}

TEST_CASE("with an inspector the wheel's memory stays in proportion to the workers",
          "[workforce][memory]") {
    // Every due is at most one inspection ahead; a wheel sized by the contract instead would see
    // each of its buckets fill with an inspection's worth of workers in turn, and keep that.
    constexpr std::uint64_t workers = 20'000;
    test_workforce w({}, policy(5'000, 100), 4, 4, 0);
    for (tick t = 0; t <= 12'000; ++t) {
        w.advance(t);
        // Each worker gets a material every 2000 ticks, 10 per tick.
        for (std::uint64_t i = 0; i < 10; ++i) {
            const std::uint64_t pid = (t % 2'000) * 10 + i;
            bool hired = false;
            w.assign(pid, mix(pid), t, hired);
        }
    }
    REQUIRE(w.size() == workers);
    CHECK(w.hooks().fired.empty());
    CHECK(w.counters().inspections > workers * 100);
    const double wheel_per_worker =
        static_cast<double>(w.wheel().memory_bytes()) / static_cast<double>(workers);
    INFO("wheel bytes per worker: " << wheel_per_worker);
    CHECK(wheel_per_worker < 32);
}

TEST_CASE("bad policies are refused", "[workforce]") {
    CHECK_THROWS_AS(test_workforce({}, policy(0), 0, 1, 0), std::invalid_argument);
    CHECK_THROWS_AS(test_workforce({}, policy(max_duration + 1), 0, 1, 0), std::invalid_argument);
    CHECK_THROWS_AS(test_workforce({}, policy(10, max_duration + 1), 0, 1, 0), std::invalid_argument);
    CHECK_NOTHROW(test_workforce({}, policy(max_duration, 0, max_duration), 0, 1, 0));
}

TEST_CASE("a million workers in one workforce stay under 64 bytes of overhead each",
          "[workforce][memory]") {
    constexpr std::size_t state_size = 32;
    constexpr std::uint64_t workers = 1'000'000;
    test_workforce w({}, policy(30'000, 1000), state_size, 8, 0);
    // Hired over a second of ticks, as a busy workshop would.
    for (std::uint64_t pid = 0; pid < workers; ++pid) {
        const std::uint64_t key = pid * 0x9e3779b97f4a7c15ULL;
        bool hired = false;
        worker_slot* s = material(w, key, static_cast<tick>(pid / 1000), hired);
        REQUIRE(hired);
        std::memcpy(static_cast<char*>(w.state(s)) + 8, &pid, sizeof pid);
    }
    REQUIRE(w.size() == workers);
    std::uint64_t found = 0;
    for (std::uint64_t pid = 0; pid < workers; ++pid) {
        worker_slot* s = w.find(pid * 0x9e3779b97f4a7c15ULL, mix(pid * 0x9e3779b97f4a7c15ULL));
        std::uint64_t stored = ~pid;
        if (s != nullptr) {
            std::memcpy(&stored, static_cast<char*>(w.state(s)) + 8, sizeof stored);
        }
        found += stored == pid ? 1 : 0;
    }
    CHECK(found == workers);
    const double per_worker = static_cast<double>(w.memory_bytes()) / static_cast<double>(w.size());
    const double roster_per_worker =
        static_cast<double>(w.roster().memory_bytes()) / static_cast<double>(w.size());
    WARN("1M workers, " << state_size << " B state: " << per_worker << " B per worker ("
                        << roster_per_worker << " roster, load "
                        << static_cast<double>(w.size()) / static_cast<double>(w.roster().capacity())
                        << "), overhead beyond state " << per_worker - state_size << " B");
    CHECK(per_worker < 24 + state_size + 40);
}
