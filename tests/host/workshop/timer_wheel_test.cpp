#include "workshop/timer_wheel.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <vector>

using namespace factory;
using namespace factory::workshop;

namespace {

// A minimal owner: pid -> due, as the workforce keeps it in the roster. An entry is real when its
// due matches the tick; `repeat` reschedules a pid that many ticks later each time it comes due.
struct table_owner {
    timer_wheel& wheel;
    std::map<std::uint64_t, tick> due;
    std::map<std::uint64_t, tick> repeat;
    std::vector<std::pair<std::uint64_t, tick>> expired;
    std::size_t prefetches = 0;
    std::size_t calls = 0; // expire() calls, stale entries included: the owner's lookups

    void expire(std::uint64_t pid, tick t) {
        ++calls;
        const auto it = due.find(pid);
        if (it == due.end() || it->second != t) {
            return;
        }
        expired.emplace_back(pid, t);
        const auto r = repeat.find(pid);
        if (r == repeat.end()) {
            due.erase(it);
        } else {
            it->second = t + r->second;
            wheel.schedule(pid, it->second);
        }
    }
    void prefetch(std::uint64_t) { ++prefetches; }
    bool idle() const { return due.empty(); }

    void add(std::uint64_t pid, tick at) {
        due[pid] = at;
        wheel.schedule(pid, at);
    }
};

} // namespace

TEST_CASE("the wheel is sized to the next power of two above the horizon, within bounds",
          "[timer_wheel]") {
    CHECK(timer_wheel(1, 0).bucket_count() == timer_wheel::min_buckets);
    CHECK(timer_wheel(1000, 0).bucket_count() == 1024);
    CHECK(timer_wheel(1024, 0).bucket_count() == 2048);
    CHECK(timer_wheel(30'000, 0).bucket_count() == 32768);
    CHECK(timer_wheel(max_duration, 0).bucket_count() == timer_wheel::max_buckets);
}

TEST_CASE("entries come round at their tick, in tick order", "[timer_wheel]") {
    timer_wheel wheel(100, 1000);
    table_owner owner{wheel};
    owner.add(1, 1050);
    owner.add(2, 1003);
    owner.add(3, 1050);
    owner.add(4, 1100);
    wheel.advance(1049, owner);
    CHECK(owner.expired == std::vector<std::pair<std::uint64_t, tick>>{{2, 1003}});
    CHECK(wheel.now() == 1049);
    wheel.advance(1100, owner);
    CHECK(owner.expired ==
          std::vector<std::pair<std::uint64_t, tick>>{{2, 1003}, {1, 1050}, {3, 1050}, {4, 1100}});
    CHECK(wheel.size() == 0);
    // Each entry in its sweep, and 1 and 3 once more at the end of the first advance: the
    // bucket due next is fetched ahead.
    CHECK(owner.prefetches == 6);
}

TEST_CASE("stale entries are dropped silently", "[timer_wheel]") {
    timer_wheel wheel(100, 0);
    table_owner owner{wheel};
    owner.add(1, 10);
    owner.add(2, 10);
    owner.due[1] = 30; // moved on without telling the wheel: its entry at 10 is stale
    owner.due.erase(2); // gone
    wheel.schedule(1, 30);
    wheel.advance(40, owner);
    CHECK(owner.expired == std::vector<std::pair<std::uint64_t, tick>>{{1, 30}});
    CHECK(wheel.size() == 0);
}

TEST_CASE("a due beyond the near level is cascaded and looked up once, when it is due",
          "[timer_wheel]") {
    timer_wheel wheel(max_duration, 0);
    const tick round = wheel.bucket_count();
    CHECK(wheel.window_ticks() == round / timer_wheel::windows);
    CHECK(wheel.far_bucket_count() == timer_wheel::max_far_buckets);
    table_owner owner{wheel};
    owner.add(7, 5 + 3 * round); // three rounds ahead of its bucket's first turn
    owner.add(8, 5);             // shares the bucket, due on the first turn
    CHECK(wheel.far_size() == 1);
    wheel.advance(5 + 3 * round - 1, owner);
    CHECK(owner.expired == std::vector<std::pair<std::uint64_t, tick>>{{8, 5}});
    CHECK(owner.calls == 1); // 7 was not looked at on the rounds it was not due
    CHECK(wheel.size() == 1);
    CHECK(wheel.far_size() == 0);
    wheel.advance(5 + 3 * round, owner);
    CHECK(owner.expired.back() == std::pair<std::uint64_t, tick>{7, 5 + 3 * round});
    CHECK(owner.calls == 2);
}

TEST_CASE("a due beyond the far level's rounds waits in its far bucket and ends on time",
          "[timer_wheel]") {
    timer_wheel wheel(max_duration, 0);
    // One far round: max_far_buckets windows; this due is two rounds and a bit ahead.
    const tick far_round = wheel.far_bucket_count() * wheel.window_ticks();
    const tick due = 2 * far_round + 12'345;
    table_owner owner{wheel};
    owner.add(1, due);
    owner.add(2, due - far_round); // the same far bucket, one round earlier
    owner.add(3, 40);
    wheel.advance(due - 1, owner);
    CHECK(owner.expired == std::vector<std::pair<std::uint64_t, tick>>{{3, 40}, {2, due - far_round}});
    CHECK(owner.calls == 2);
    wheel.advance(due + 5, owner);
    CHECK(owner.expired.back() == std::pair<std::uint64_t, tick>{1, due});
    CHECK(owner.calls == 3);
    CHECK(wheel.size() == 0);
}

TEST_CASE("entries due at one tick come round in the order they were scheduled, across a cascade",
          "[timer_wheel]") {
    timer_wheel wheel(1'000'000, 0);
    const tick due = 900'000; // far when scheduled at 0
    table_owner owner{wheel};
    owner.add(1, due);
    owner.add(2, due);
    wheel.advance(due - 10, owner); // cascaded by now
    CHECK(wheel.far_size() == 0);
    owner.add(3, due); // near: appended after the cascaded ones
    wheel.schedule(9, due); // stale
    owner.add(4, due);
    wheel.advance(due, owner);
    CHECK(owner.expired ==
          std::vector<std::pair<std::uint64_t, tick>>{{1, due}, {2, due}, {3, due}, {4, due}});
}

TEST_CASE("advance skips empty stretches and jumps once nothing is live", "[timer_wheel]") {
    timer_wheel wheel(1000, 0);
    table_owner owner{wheel};
    owner.add(1, 999);
    wheel.schedule(99, 500); // stale: no owner entry
    wheel.advance(2'000'000'000, owner);
    CHECK(owner.expired == std::vector<std::pair<std::uint64_t, tick>>{{1, 999}});
    CHECK(wheel.now() == 2'000'000'000);
    CHECK(wheel.size() == 0);
    // A target not after now() does nothing.
    wheel.advance(5, owner);
    CHECK(wheel.now() == 2'000'000'000);
}

TEST_CASE("earliest finds the soonest live entry and drops stale ones it passes",
          "[timer_wheel]") {
    timer_wheel wheel(1000, 100);
    table_owner owner{wheel};
    const auto due_of = [&](std::uint64_t pid, tick& due) {
        const auto it = owner.due.find(pid);
        if (it == owner.due.end()) {
            return false;
        }
        due = it->second;
        return true;
    };
    std::uint64_t pid = 0;
    tick due = 0;
    CHECK_FALSE(wheel.earliest(due_of, pid, due));
    owner.add(1, 600);
    owner.add(2, 300);
    owner.add(3, 450);
    wheel.schedule(4, 200); // stale
    REQUIRE(wheel.earliest(due_of, pid, due));
    CHECK(pid == 2);
    CHECK(due == 300);
    CHECK(wheel.size() == 3);
    CHECK(wheel.remove(2, 300));
    CHECK_FALSE(wheel.remove(2, 300));
    owner.due.erase(2);
    REQUIRE(wheel.earliest(due_of, pid, due));
    CHECK(pid == 3);
}

TEST_CASE("clear keeps the clock and drops every entry", "[timer_wheel]") {
    timer_wheel wheel(100, 50);
    table_owner owner{wheel};
    for (std::uint64_t pid = 0; pid < 300; ++pid) {
        owner.add(pid, 51 + static_cast<tick>(pid % 90));
    }
    const std::size_t bytes = wheel.memory_bytes();
    wheel.clear();
    CHECK(wheel.size() == 0);
    CHECK(wheel.now() == 50);
    CHECK(wheel.memory_bytes() == bytes); // capacity kept
    wheel.advance(200, owner);
    CHECK(owner.expired.empty());
}
