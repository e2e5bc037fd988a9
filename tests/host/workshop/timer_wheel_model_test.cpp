// The workforce (on the two-level timer wheel) against a reference model that keeps its timers in
// a multimap of due ticks: the same random hires, renewals, late materials, blueprint fires,
// dismissals and clock steps go to both, and every fire and inspection must come out at the same
// tick and in the same order. Entries due at one tick are taken in the order they were scheduled
// (the multimap keeps insertion order among equal keys), which is the wheel's order.
#include "workshop/workforce.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <random>
#include <vector>

using namespace factory;
using namespace factory::workshop;

namespace {

constexpr std::uint32_t visit = 100; // event kind of an inspection; fires use FACTORY_FIRED_*

struct event {
    std::uint32_t kind;
    std::uint64_t pid;
    tick at;
    bool operator==(const event&) const = default;
};

// The inspector says "done" for a pseudo-random fifth of the visits, the same in both.
bool done_at(std::uint64_t pid, tick t) { return mix(pid * 31 + t) % 5 == 0; }

struct logging_hooks {
    std::vector<event>* log;
    void fire(worker_slot& w, void*, std::uint32_t reason, tick now) {
        log->push_back({reason, w.pid, now});
    }
    bool inspect(worker_slot& w, void*, tick now) {
        log->push_back({visit, w.pid, now});
        return done_at(w.pid, now);
    }
};

// The rules of workforce.hpp on 64-bit unwrapped time, timers in a multimap.
class model {
public:
    model(const contract_policy& p, std::uint64_t start) : p_(p), now_(start) {}

    void advance(std::uint64_t to) {
        while (!due_.empty() && due_.begin()->first <= to) {
            const auto [at, pid] = *due_.begin();
            due_.erase(due_.begin());
            now_ = at;
            expire(pid, at);
        }
        now_ = to > now_ ? to : now_;
    }

    void assign(std::uint64_t pid, std::uint64_t at) {
        advance(at);
        const auto it = workers_.find(pid);
        if (it != workers_.end()) {
            it->second.last_seen = std::max(it->second.last_seen, at);
            return;
        }
        if (p_.max_workers != 0 && workers_.size() >= p_.max_workers) {
            evict(at);
        }
        worker w{at, at, 0};
        w.due = next_due(w, now_);
        workers_[pid] = w;
        due_.emplace(w.due, pid);
    }

    void fire(std::uint64_t pid, std::uint64_t at) {
        if (workers_.erase(pid) != 0) {
            log.push_back({FACTORY_FIRED_DONE, pid, static_cast<tick>(at)});
        }
    }
    void dismiss(std::uint64_t pid) { workers_.erase(pid); }
    std::size_t size() const { return workers_.size(); }

    std::vector<event> log;

private:
    struct worker {
        std::uint64_t hired, last_seen, due;
    };

    std::uint64_t next_due(const worker& w, std::uint64_t after) const {
        const std::uint64_t idle = w.last_seen + p_.contract;
        std::uint64_t due = idle > after ? idle : after + 1;
        if (p_.inspect != 0) {
            due = std::min(due, after + p_.inspect - (after - w.hired) % p_.inspect);
        }
        if (p_.max_age != 0) {
            const std::uint64_t old = w.hired + p_.max_age;
            due = std::min(due, old > after ? old : after + 1);
        }
        return due;
    }

    bool live(std::uint64_t pid, std::uint64_t at) const {
        const auto it = workers_.find(pid);
        return it != workers_.end() && it->second.due == at;
    }

    void let_go(std::uint64_t pid, std::uint32_t reason, std::uint64_t at) {
        log.push_back({reason, pid, static_cast<tick>(at)});
        workers_.erase(pid);
    }

    void expire(std::uint64_t pid, std::uint64_t at) {
        if (!live(pid, at)) {
            return;
        }
        worker& w = workers_[pid];
        if (at - w.last_seen >= p_.contract) {
            return let_go(pid, FACTORY_FIRED_IDLE, at);
        }
        const std::uint64_t age = at - w.hired;
        if (p_.max_age != 0 && age >= p_.max_age) {
            return let_go(pid, FACTORY_FIRED_MAX_AGE, at);
        }
        if (p_.inspect != 0 && age != 0 && age % p_.inspect == 0) {
            log.push_back({visit, pid, static_cast<tick>(at)});
            if (done_at(pid, static_cast<tick>(at))) {
                return let_go(pid, FACTORY_FIRED_DONE, at);
            }
        }
        w.due = next_due(w, at);
        due_.emplace(w.due, pid);
    }

    // The live worker with the earliest entry (the first scheduled among equals), brought up to
    // date first when it was renewed since it was scheduled.
    void evict(std::uint64_t at) {
        for (auto it = due_.begin(); it != due_.end();) {
            const auto [d, pid] = *it;
            it = due_.erase(it);
            if (!live(pid, d)) {
                continue;
            }
            worker& w = workers_[pid];
            const std::uint64_t current = next_due(w, now_);
            if (current > d) {
                w.due = current;
                due_.emplace(current, pid);
                it = due_.begin();
                continue;
            }
            return let_go(pid, FACTORY_FIRED_EVICTED, at);
        }
    }

    contract_policy p_;
    std::uint64_t now_;
    std::map<std::uint64_t, worker> workers_;
    std::multimap<std::uint64_t, std::uint64_t> due_;
};

struct shape {
    const char* name;
    contract_policy policy;
    std::uint64_t keys;
    std::uint64_t max_step; // clock steps are 1 .. max_step ticks, with an occasional long gap
    int steps;
};

void run(const shape& sh, std::uint64_t start, std::uint32_t seed) {
    INFO(sh.name << ", start " << start << ", seed " << seed);
    std::vector<event> log;
    workforce<logging_hooks> w(logging_hooks{&log}, sh.policy, 0, 1, static_cast<tick>(start));
    model m(sh.policy, start);
    std::mt19937_64 rng(seed);
    const auto chance = [&](unsigned percent) { return rng() % 100 < percent; };
    std::uint64_t now = start;
    for (int step = 0; step < sh.steps; ++step) {
        if (chance(2)) {
            now += sh.policy.contract + rng() % (2 * sh.policy.contract); // a gap
        } else {
            now += 1 + rng() % sh.max_step;
        }
        w.advance(static_cast<tick>(now));
        m.advance(now);
        const unsigned materials = static_cast<unsigned>(rng() % 6);
        for (unsigned i = 0; i < materials; ++i) {
            const std::uint64_t pid = 1 + rng() % sh.keys;
            std::uint64_t at = now;
            if (chance(10)) {
                at -= std::min<std::uint64_t>(rng() % sh.max_step, now - start); // late
            }
            bool hired = false;
            w.assign(pid, mix(pid), static_cast<tick>(at), hired);
            m.assign(pid, at);
        }
        if (chance(5)) {
            const std::uint64_t pid = 1 + rng() % sh.keys;
            w.fire(pid, mix(pid), FACTORY_FIRED_DONE, static_cast<tick>(now));
            m.fire(pid, now);
        }
        if (chance(3)) {
            const std::uint64_t pid = 1 + rng() % sh.keys;
            w.dismiss(pid, mix(pid));
            m.dismiss(pid);
        }
        REQUIRE(w.size() == m.size());
        REQUIRE(log.size() == m.log.size());
    }
    // The last workers run out.
    now += sh.policy.contract + 1;
    w.advance(static_cast<tick>(now));
    m.advance(now);
    CHECK(w.size() == 0);
    CHECK(w.wheel().size() == 0);
    REQUIRE(log.size() == m.log.size());
    std::size_t first_difference = log.size();
    for (std::size_t i = 0; i < log.size(); ++i) {
        if (!(log[i] == m.log[i])) {
            first_difference = i;
            break;
        }
    }
    INFO("events: " << log.size() << ", first difference at " << first_difference);
    CHECK(first_difference == log.size());
    CHECK(log.size() > static_cast<std::size_t>(sh.steps) / 2); // the run did fire and visit
}

contract_policy policy(tick contract, tick inspect, tick max_age, std::uint64_t max_workers) {
    contract_policy p;
    p.contract = contract;
    p.inspect = inspect;
    p.max_age = max_age;
    p.max_workers = max_workers;
    return p;
}

} // namespace

TEST_CASE("the wheel fires and visits exactly as a multimap of due ticks does", "[timer_wheel][model]") {
    const shape shapes[] = {
        {"short contract", policy(50, 0, 0, 0), 300, 20, 20'000},
        {"short contract, inspector, max age", policy(1'000, 70, 3'000, 0), 2'000, 40, 20'000},
        {"contract just under the near level", policy(60'000, 0, 0, 0), 2'000, 3'000, 10'000},
        {"long contract (far level)", policy(1'800'000, 0, 0, 0), 3'000, 60'000, 10'000},
        {"long contract, inspector, max age", policy(1'000'000, 150'000, 2'500'000, 0), 3'000,
         40'000, 10'000},
        {"contract beyond the far level's rounds", policy(40'000'000, 0, 0, 0), 500, 2'000'000,
         3'000},
        {"short contract, max workers", policy(500, 0, 0, 100), 400, 10, 20'000},
        {"long contract, inspector, max workers", policy(1'800'000, 100'000, 0, 200), 600, 20'000,
         10'000},
    };
    for (const shape& sh : shapes) {
        run(sh, 1'000, 7);
        run(sh, (std::uint64_t{1} << 32) - 3 * sh.policy.contract - 777, 11); // across the wrap
    }
}
