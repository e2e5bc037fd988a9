#include "ops/losses.hpp"

#include "shm/lane_publish.hpp"

#include <catch2/catch.hpp>

#include <string>

#include <unistd.h>

using namespace factory;

namespace {

// A real segment, as a run has one, removed when the test ends.
struct test_segment {
    std::string name = "factory-test-losses-" + std::to_string(::getpid());
    shm::segment seg;
    explicit test_segment(std::uint32_t workshops)
        : seg((shm::segment::remove(name), shm::segment::create(name, workshops, 64u << 10, 64u << 10, "{}"))) {}
    ~test_segment() { shm::segment::remove(name); }
};

} // namespace

TEST_CASE("a dead workshop loses its live workers and the materials they held, once", "[ops]") {
    test_segment t(2);
    auto& w = t.seg.workshop(1);
    w.assembled.set(100);
    w.handed_over.set(60); // 60 left in products, or with workers that shipped nothing
    w.roster.set(7);
    auto loss = ops::settle_workshop_death(t.seg, 1);
    CHECK(loss.workers == 7);
    CHECK(loss.materials == 40);
    CHECK(w.lost_workers.get() == 7);
    CHECK(w.lost_materials.get() == 40);
    CHECK(w.roster.get() == 0);
    // A second death after the restarted process assembled 10 more, handed none over: only those.
    w.assembled.set(110);
    w.roster.set(3);
    loss = ops::settle_workshop_death(t.seg, 1);
    CHECK(loss.workers == 3);
    CHECK(loss.materials == 10);
    CHECK(w.lost_materials.get() == 50);
    CHECK(t.seg.workshop(0).lost_materials.get() == 0);
}

TEST_CASE("a workshop that died in a lane publish: the products the lane shows are not lost", "[ops]") {
    test_segment t(1);
    auto& w = t.seg.workshop(0);
    w.assembled.set(100);
    w.handed_over.set(60);
    w.roster.set(5);
    SECTION("the lane's tail reached the publish: its counts are settled first") {
        shm::announce_publish(w, 4096, 12, 90);
        t.seg.lane(0)->tail.store(4096);
        auto loss = ops::settle_workshop_death(t.seg, 0);
        CHECK(w.shipped.get() == 12);
        CHECK(loss.materials == 10); // 100 assembled - 90 handed over
    }
    SECTION("the publish never became visible: its products and materials were still at risk") {
        shm::announce_publish(w, 4096, 12, 90);
        auto loss = ops::settle_workshop_death(t.seg, 0);
        CHECK(w.shipped.get() == 0);
        CHECK(loss.materials == 40);
    }
    CHECK(w.pending_tail.load() == 0);
}

TEST_CASE("a dead transportation loses, per exporter, what the lanes released and it did not deliver", "[ops]") {
    test_segment t(2);
    t.seg.lane(0)->records_released.store(70);
    t.seg.lane(1)->records_released.store(30);
    auto& x = t.seg.transport().exporters;
    x[0].exported.set(80);
    x[1].exported.set(50);
    x[1].dead_lettered.set(10);
    t.seg.transport().warehouse.set(99);
    CHECK(ops::settle_transport_death(t.seg, 2) == 40);
    CHECK(t.seg.transport().received.get() == 100);
    CHECK(x[0].lost.get() == 20);
    CHECK(x[1].lost.get() == 40);
    CHECK(t.seg.transport().warehouse.get() == 0);
    // The next death counts only what that process took since.
    t.seg.lane(0)->records_released.store(90);
    x[0].exported.set(95);
    x[1].exported.set(60);
    CHECK(ops::settle_transport_death(t.seg, 2) == 10);
    CHECK(x[0].lost.get() == 25);
    CHECK(x[1].lost.get() == 50);
}

TEST_CASE("a dead purchasing loses what it purchased and never published on a line", "[ops]") {
    test_segment t(2);
    auto& p = t.seg.purchasing();
    p.purchased.set(1000);
    p.rejected.set(10);
    t.seg.line(0)->records_published.store(600);
    t.seg.line(1)->records_published.store(380);
    t.seg.line_info(0).pushed.set(590); // lagging the line's own count by a batch
    CHECK(ops::settle_purchasing_death(t.seg) == 10);
    CHECK(t.seg.line_info(0).pushed.get() == 600);
    CHECK(t.seg.line_info(1).pushed.get() == 380);
    CHECK(p.lost.get() == 10);
}
