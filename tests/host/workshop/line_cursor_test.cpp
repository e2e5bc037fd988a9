// The line cursor's rules, one process at a time: each "process" is a fresh consumer on the same
// ring and the same statistics block, as a restarted workshop sees them in the shared segment.
#include "workshop/line_cursor.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

using namespace factory;
using factory::workshop::line_cursor;

namespace {

struct test_line {
    explicit test_line(std::size_t capacity)
        : memory(static_cast<std::byte*>(std::aligned_alloc(shm::cache_line, shm::ring_footprint(capacity)))),
          ring(shm::ring_create(memory, capacity)), stats(std::make_unique<shm::workshop_stats>()) {}
    ~test_line() { std::free(memory); }
    test_line(const test_line&) = delete;
    test_line& operator=(const test_line&) = delete;

    // Puts materials with seq first..last on the line; returns the position of each.
    std::vector<std::uint64_t> purchase(std::uint64_t first, std::uint64_t last) {
        shm::producer p(ring, nullptr);
        std::vector<std::uint64_t> at;
        for (std::uint64_t seq = first; seq <= last; ++seq) {
            at.push_back(p.claimed_position());
            void* slot = p.try_claim(sizeof(factory_material));
            REQUIRE(slot != nullptr);
            factory_material m{};
            m.pid = seq % 3;
            m.seq = seq;
            *static_cast<factory_material*>(slot) = m;
        }
        p.publish();
        return at;
    }

    std::byte* memory;
    shm::ring_control* ring;
    std::unique_ptr<shm::workshop_stats> stats;
};

// What a director does with one material it assembles: take, count, settle (no release).
void assemble_one(line_cursor& cursor, shm::consumer& line, shm::workshop_stats& stats) {
    shm::consumer::record rec{};
    REQUIRE(line.try_peek(rec));
    cursor.take(line.position());
    line.pop();
    stats.assembled.add();
    cursor.settle(line.position());
}

// The last process: assembles `assembled` materials, takes the next one and dies; after counting it
// in `counted_in`, or before any count when that is nullptr.
void die_busy(test_line& t, int assembled, shm::counter* counted_in) {
    shm::consumer first(t.ring, nullptr);
    line_cursor cursor(*t.stats);
    for (int i = 0; i < assembled; ++i) assemble_one(cursor, first, *t.stats);
    cursor.take(first.position());
    if (counted_in != nullptr) counted_in->add();
}

std::uint64_t next_seq(shm::consumer& line) {
    shm::consumer::record rec{};
    REQUIRE(line.try_peek(rec));
    return static_cast<const factory_material*>(rec.data)->seq;
}

} // namespace

TEST_CASE("the cursor is (position << 1) | busy in the statistics block", "[line_cursor]") {
    STATIC_REQUIRE(line_cursor::encode(40, true) == 81);
    STATIC_REQUIRE(line_cursor::encode(40, false) == 80);
    STATIC_REQUIRE(line_cursor::position_of(81) == 40);
    STATIC_REQUIRE(line_cursor::busy_of(81));
    STATIC_REQUIRE_FALSE(line_cursor::busy_of(80));

    auto stats = std::make_unique<shm::workshop_stats>();
    line_cursor cursor(*stats);
    CHECK(cursor.position() == 0);
    CHECK_FALSE(cursor.busy());
    cursor.take(96);
    CHECK(stats->cursor.load() == 193);
    CHECK(cursor.position() == 96);
    CHECK(cursor.busy());
    cursor.settle(128);
    CHECK(stats->cursor.load() == 256);
    CHECK_FALSE(cursor.busy());
}

TEST_CASE("settled: a busy material is counted when the counts run past the materials before it", "[line_cursor]") {
    CHECK_FALSE(workshop::busy_material_settled(5, 5));
    CHECK(workshop::busy_material_settled(5, 6));
    CHECK_FALSE(workshop::busy_material_settled(0, 0));

    auto stats = std::make_unique<shm::workshop_stats>();
    line_cursor cursor(*stats);
    stats->assembled.add(4);
    stats->failed.add(2);
    stats->quarantined.add(1);
    CHECK(cursor.settled_count() == 7);
}

TEST_CASE("resume on a line nothing was taken from starts at its first material", "[line_cursor]") {
    test_line t(4096);
    t.purchase(1, 5);
    shm::consumer line(t.ring, nullptr);
    line_cursor cursor(*t.stats);
    CHECK(cursor.resume(line) == nullptr);
    CHECK(line.records_popped() == 0);
    CHECK(next_seq(line) == 1);
    CHECK_FALSE(cursor.busy());
}

TEST_CASE("resume seeks past the materials the last process settled, released or not", "[line_cursor]") {
    test_line t(4096);
    auto at = t.purchase(1, 10);
    {
        shm::consumer first(t.ring, nullptr);
        line_cursor cursor(*t.stats);
        for (int i = 0; i < 4; ++i) assemble_one(cursor, first, *t.stats);
        first.release();
        for (int i = 0; i < 3; ++i) assemble_one(cursor, first, *t.stats);
        // dies here: 7 settled, 4 of them released
    }
    shm::consumer second(t.ring, nullptr);
    line_cursor cursor(*t.stats);
    CHECK(cursor.resume(second) == nullptr);
    CHECK(second.position() == at[7]);
    CHECK(second.records_popped() == 7);
    CHECK(next_seq(second) == 8);
    CHECK(cursor.position() == at[7]);
    CHECK_FALSE(cursor.busy());
    CHECK(t.stats->quarantined.get() == 0);
}

TEST_CASE("resume hands back the busy material the last process died on, uncounted", "[line_cursor]") {
    test_line t(4096);
    auto at = t.purchase(1, 6);
    die_busy(t, 2, nullptr); // material 3 handed to the blueprint, which dies on it
    shm::consumer second(t.ring, nullptr);
    line_cursor cursor(*t.stats);
    const factory_material* m = cursor.resume(second);
    REQUIRE(m != nullptr);
    CHECK(m->seq == 3);
    // Still busy until it is counted: a crash now quarantines it again, with a second letter.
    CHECK(cursor.busy());
    CHECK(cursor.position() == at[2]);

    cursor.quarantined(second);
    second.release();
    CHECK(t.stats->quarantined.get() == 1);
    CHECK(t.stats->assembled.get() == 2);
    CHECK_FALSE(cursor.busy());
    CHECK(cursor.position() == at[3]);
    CHECK(next_seq(second) == 4);

    // The next restart finds nothing busy and quarantines nothing more.
    shm::consumer third(t.ring, nullptr);
    line_cursor again(*t.stats);
    CHECK(again.resume(third) == nullptr);
    CHECK(next_seq(third) == 4);
    CHECK(t.stats->quarantined.get() == 1);
}

TEST_CASE("a restarted workshop passes by a busy material that was already counted", "[line_cursor]") {
    // The soak's case: the blueprint took the material (assembled), made its worker done and died
    // firing it, before the cursor moved on. Quarantining it would count it twice.
    test_line t(4096);
    auto at = t.purchase(1, 6);
    die_busy(t, 1, &t.stats->assembled); // material 2 counted, then died in on_fire before settle()
    shm::consumer second(t.ring, nullptr);
    line_cursor cursor(*t.stats);
    CHECK(cursor.resume(second) == nullptr);
    CHECK(t.stats->quarantined.get() == 0);
    CHECK(t.stats->assembled.get() == 2);
    CHECK_FALSE(cursor.busy());
    CHECK(cursor.position() == at[2]);
    CHECK(next_seq(second) == 3);
    // Passed by and released: the producer has it back, and another restart starts after it too.
    CHECK(t.ring->head.load() == at[2]);
    shm::consumer third(t.ring, nullptr);
    line_cursor again(*t.stats);
    CHECK(again.resume(third) == nullptr);
    CHECK(next_seq(third) == 3);
    CHECK(t.stats->assembled.get() + t.stats->quarantined.get() == 2);
}

TEST_CASE("a busy material counted as failed or quarantined is passed by too", "[line_cursor]") {
    auto counted_as = GENERATE(0, 1);
    test_line t(4096);
    t.purchase(1, 4);
    die_busy(t, 0, counted_as == 0 ? &t.stats->failed : &t.stats->quarantined);
    shm::consumer second(t.ring, nullptr);
    line_cursor cursor(*t.stats);
    CHECK(cursor.resume(second) == nullptr);
    CHECK(next_seq(second) == 2);
    CHECK(cursor.settled_count() == 1);
}

TEST_CASE("the given-up drain dead-letters every material left, each counted once", "[line_cursor]") {
    test_line t(8192);
    t.purchase(1, 20);
    std::vector<std::uint64_t> letters;
    auto letter = [&](const factory_material& m) { letters.push_back(m.seq); };

    SECTION("after a death inside the blueprint: the busy material is drained with the rest") {
        die_busy(t, 5, nullptr);
        shm::consumer drainer(t.ring, nullptr);
        line_cursor cursor(*t.stats);
        cursor.resume(drainer);
        CHECK(cursor.drain(drainer, 256, letter) == 15);
        CHECK(letters.front() == 6);
        CHECK(letters.back() == 20);
        CHECK(letters.size() == 15);
        CHECK(t.stats->assembled.get() == 5);
        CHECK(t.stats->quarantined.get() == 15);
    }
    SECTION("after a death once the busy material was counted: it is passed by, not drained") {
        die_busy(t, 5, &t.stats->assembled); // material 6: counted, then died firing its worker
        shm::consumer drainer(t.ring, nullptr);
        line_cursor cursor(*t.stats);
        cursor.resume(drainer);
        CHECK(cursor.drain(drainer, 256, letter) == 14);
        CHECK(letters.front() == 7);
        CHECK(t.stats->assembled.get() == 6);
        CHECK(t.stats->quarantined.get() == 14);
    }
    SECTION("a drain killed between a letter and its count, restarted: a second letter, one count") {
        {
            shm::consumer first(t.ring, nullptr);
            line_cursor cursor(*t.stats);
            cursor.resume(first);
            CHECK(cursor.drain(first, 3, letter) == 3);
            shm::consumer::record rec{};
            REQUIRE(first.try_peek(rec));
            cursor.take(first.position());
            letter(*static_cast<const factory_material*>(rec.data)); // killed before the count
        }
        shm::consumer second(t.ring, nullptr);
        line_cursor cursor(*t.stats);
        cursor.resume(second);
        CHECK(cursor.drain(second, 256, letter) == 17);
        CHECK(t.stats->quarantined.get() == 20);
        REQUIRE(letters.size() == 21);
        CHECK(letters[3] == 4);
        CHECK(letters[4] == 4);
        CHECK(letters.back() == 20);
    }
    SECTION("at most `most` materials per call, released in one go") {
        shm::consumer drainer(t.ring, nullptr);
        line_cursor cursor(*t.stats);
        cursor.resume(drainer);
        CHECK(cursor.drain(drainer, 8, letter) == 8);
        CHECK(t.ring->records_released.load() == 8);
        CHECK(cursor.drain(drainer, 8, letter) == 8);
        CHECK(cursor.drain(drainer, 8, letter) == 4);
        CHECK(cursor.drain(drainer, 8, letter) == 0);
        CHECK(t.stats->quarantined.get() == 20);
        CHECK_FALSE(cursor.busy());
    }
}
