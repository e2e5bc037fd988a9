#include "purchasing/pacer.hpp"

#include <catch2/catch.hpp>

#include <cstdint>

using factory::purchasing::pacer;

namespace {

constexpr std::int64_t us = 1'000;
constexpr std::int64_t ms = 1'000'000;

// Drives a pacer the way purchasing does, on a clock the test moves by `step_ns`: at each turn it
// fills what room() allows. Returns the number of fills; `most` and `least` get their sizes.
struct drive_result {
    std::uint64_t purchased = 0;
    std::uint64_t fills = 0;
    std::uint32_t least = UINT32_MAX;
    std::uint32_t most = 0;
    bool ahead = false; // ever purchased more than rate * elapsed + 1
};

drive_result drive(double rate, std::uint32_t batch, std::int64_t step_ns, std::int64_t until_ns) {
    pacer p(rate, batch, 0);
    drive_result r;
    for (std::int64_t now = 0; now <= until_ns; now += step_ns) {
        std::uint32_t room = p.room(r.purchased, now);
        if (room == 0) continue;
        r.purchased += room;
        ++r.fills;
        r.least = std::min(r.least, room);
        r.most = std::max(r.most, room);
        if (static_cast<double>(r.purchased) > rate * static_cast<double>(now) * 1e-9 + 1) r.ahead = true;
    }
    return r;
}

} // namespace

TEST_CASE("an unpaced pacer gives every fill the whole batch", "[pacer]") {
    pacer p(0, 256, 0);
    CHECK(p.room(0, 0) == 256);
    CHECK(p.room(1'000'000'000, 5) == 256);
    CHECK(p.quantum() == 256);
}

TEST_CASE("the quantum is about 20 us of materials, at least 1 and at most a batch", "[pacer]") {
    CHECK(pacer(1'000, 256, 0).quantum() == 1);
    CHECK(pacer(9'000'000, 256, 0).quantum() == 180);
    CHECK(pacer(18'000'000, 256, 0).quantum() == 256);
    CHECK(pacer(0.5, 256, 0).quantum() == 1);
}

TEST_CASE("at a high rate, fills wait for a quantum instead of taking a material or two", "[pacer]") {
    // A purchasing loop that turns every 100 ns at 9 million/s would otherwise fill 1 material a
    // turn; with the quantum every fill holds at least 180.
    auto r = drive(9'000'000, 256, 100, 10 * ms);
    CHECK(r.least >= 180);
    CHECK(r.most <= 256);
    CHECK_FALSE(r.ahead);
    // And the rate is kept: 10 ms at 9 million/s is 90,000, less at most one quantum not yet due.
    CHECK(r.purchased <= 90'001);
    CHECK(r.purchased >= 90'001 - 180);
}

TEST_CASE("at 1,000/s each material is its own fill, on time", "[pacer]") {
    auto r = drive(1'000, 256, 10 * us, 1'000 * ms);
    CHECK(r.least == 1);
    CHECK(r.most == 1);
    CHECK(r.purchased == 1'001); // the one at 0 and one per ms after it
    CHECK_FALSE(r.ahead);
}

TEST_CASE("a late turn catches up in batches, never ahead of the rate", "[pacer]") {
    pacer p(1'000'000, 256, 0);
    // 5 ms late: 5,001 are due; fills take a batch at a time.
    std::uint64_t purchased = 0;
    int fills = 0;
    while (std::uint32_t room = p.room(purchased, 5 * ms)) {
        CHECK(room <= 256);
        purchased += room;
        ++fills;
    }
    CHECK(purchased == 5'001);
    CHECK(fills == 20); // 19 batches of 256 and the 137 left
}

TEST_CASE("due_ns is the first moment room() allows a fill", "[pacer]") {
    for (double rate : {1'000.0, 123'456.0, 9'000'000.0, 40'000'000.0}) {
        pacer p(rate, 256, 7 * ms);
        for (std::uint64_t purchased : {1ULL, 500ULL, 1'000'001ULL}) {
            std::int64_t due = p.due_ns(purchased);
            INFO("rate " << rate << ", purchased " << purchased << ", due " << due);
            CHECK(p.room(purchased, due + 1) >= p.quantum());
            CHECK(p.room(purchased, due - 1'000) == 0);
        }
    }
}
