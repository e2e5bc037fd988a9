// The counts of a lane publish across a crash (shm/lane_publish.hpp): a workshop that dies before,
// during or after a publish leaves `shipped` and `handed_over` as transportation will find the lane.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>

#include "shm/lane_publish.hpp"

using namespace factory::shm;

namespace {

struct lane_fixture {
    lane_fixture()
        : memory(static_cast<std::byte*>(std::aligned_alloc(cache_line, ring_footprint(4096)))),
          ring(ring_create(memory, 4096)) {}
    ~lane_fixture() { std::free(memory); }
    lane_fixture(const lane_fixture&) = delete;
    lane_fixture& operator=(const lane_fixture&) = delete;

    std::byte* memory;
    ring_control* ring;
};

// A workshop that has shipped 10 products carrying 100 materials claims 3 products, whose workers
// held 40 materials, and gets as far as `steps` of: announce, publish, settle.
void ship_three(workshop_stats& w, producer& lane, int steps) {
    w.shipped.set(10);
    w.handed_over.set(100);
    for (int i = 0; i < 3; ++i) std::memset(lane.try_claim(16), 0, 16);
    if (steps >= 1) announce_publish(w, lane.claimed_position(), 13, 140);
    if (steps >= 2) lane.publish();
    if (steps >= 3) settle_publish(w);
}

std::uint64_t visible_records(ring_control* ring) {
    consumer c(ring, nullptr);
    consumer::record rec;
    std::uint64_t n = 0;
    while (c.try_peek(rec)) {
        c.pop();
        ++n;
    }
    return n;
}

} // namespace

TEST_CASE("a workshop that dies after announcing but before publishing: nothing shipped or handed over", "[shm]") {
    lane_fixture f;
    workshop_stats w;
    producer lane(f.ring, nullptr);
    ship_three(w, lane, 1);
    CHECK_FALSE(finish_publish(w, *f.ring));
    CHECK(w.shipped.get() == 10);
    CHECK(w.handed_over.get() == 100);
    CHECK(w.pending_tail.load() == 0);
    CHECK(visible_records(f.ring) == 0);
}

TEST_CASE("a workshop that dies between the publish and its counts: the host settles them", "[shm]") {
    lane_fixture f;
    workshop_stats w;
    producer lane(f.ring, nullptr);
    ship_three(w, lane, 2);
    CHECK(w.shipped.get() == 10); // what the dead process left
    CHECK(finish_publish(w, *f.ring));
    CHECK(w.shipped.get() == 13);
    CHECK(w.handed_over.get() == 140);
    CHECK(w.pending_tail.load() == 0);
    CHECK(visible_records(f.ring) == 3); // what transportation will deliver: as many as counted
}

TEST_CASE("a workshop that dies after settling: the host changes nothing", "[shm]") {
    lane_fixture f;
    workshop_stats w;
    producer lane(f.ring, nullptr);
    ship_three(w, lane, 3);
    CHECK(w.shipped.get() == 13);
    CHECK_FALSE(finish_publish(w, *f.ring));
    CHECK(w.shipped.get() == 13);
    CHECK(w.handed_over.get() == 140);
}

TEST_CASE("an announced publish after earlier ones compares with the lane's tail, not with zero", "[shm]") {
    lane_fixture f;
    workshop_stats w;
    producer lane(f.ring, nullptr);
    ship_three(w, lane, 3); // tail is now past 0
    for (int i = 0; i < 2; ++i) std::memset(lane.try_claim(16), 0, 16);
    announce_publish(w, lane.claimed_position(), 15, 150);
    CHECK_FALSE(finish_publish(w, *f.ring)); // the earlier tail does not count for this one
    CHECK(w.shipped.get() == 13);
    CHECK(w.handed_over.get() == 140);
}
