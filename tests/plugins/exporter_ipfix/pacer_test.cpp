#include "exporter_ipfix/pacer.hpp"

#include <catch2/catch.hpp>

using factory::ipfix::pacer;

TEST_CASE("rate 0 never waits") {
    pacer p(0, 1);
    for (int i = 0; i < 1000; ++i) {
        CHECK(p.wait_ns(5) == 0);
        p.sent(5);
    }
}

TEST_CASE("a burst goes back to back, then one datagram per interval") {
    pacer p(1000, 4); // 1 ms interval
    std::int64_t now = 1'000'000'000;
    for (int i = 0; i < 4; ++i) {
        REQUIRE(p.wait_ns(now) == 0);
        p.sent(now);
    }
    CHECK(p.wait_ns(now) == 1'000'000);
    now += 1'000'000;
    CHECK(p.wait_ns(now) == 0);
    p.sent(now);
    CHECK(p.wait_ns(now) == 1'000'000);
    CHECK(p.wait_ns(now + 400'000) == 600'000);
}

TEST_CASE("a long pause earns one burst back, not more") {
    pacer p(1000, 3);
    std::int64_t now = 0;
    p.sent(now);
    now += 10'000'000'000; // ten seconds idle
    for (int i = 0; i < 3; ++i) {
        REQUIRE(p.wait_ns(now) == 0);
        p.sent(now);
    }
    CHECK(p.wait_ns(now) == 1'000'000);
}

TEST_CASE("the average rate holds over many datagrams when the sender waits as told") {
    pacer p(2000, 8);
    std::int64_t now = 0;
    for (int i = 0; i < 10'008; ++i) {
        now += p.wait_ns(now);
        p.sent(now);
    }
    // 8 free, then 10'000 at 0.5 ms each.
    CHECK(now == 10'000LL * 500'000);
}
