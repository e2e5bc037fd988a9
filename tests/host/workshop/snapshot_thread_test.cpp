// snapshot_thread.hpp: a snapshot copied at the barrier and written on the thread is the same
// file, to the byte, as one written in place; the stats say which epoch was written; a write that
// fails says so in the stats and in wait(), and leaves no file.
#include "workshop/snapshot_thread.hpp"

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>

namespace cp = factory::checkpoint;
namespace fs = std::filesystem;
using factory::testing::read_file;
using factory::testing::temp_dir;

namespace {

struct state12 {
    std::uint32_t a, b, c; // 12 bytes: padded to 16 in the file
};

const cp::blueprint_identity bp{"sessions", "1.0.0", sizeof(state12), 4, 0x1234};

template <class Add>
void each_test_worker(std::uint32_t n, Add&& add) {
    for (std::uint32_t i = 0; i < n; ++i) {
        const state12 s{i, i * 3, 0xabcdef00u + i};
        add(1000 + i * 7, std::int64_t{1'700'000'000'000'000'000} + i, std::int64_t{1'700'000'000'000'000'000} + 2 * i,
            i + 1, i % 5 == 0 ? nullptr : &s);
    }
}

} // namespace

TEST_CASE("a snapshot written on the thread equals one written in place, and the stats name its epoch",
          "[workshop][checkpoints]") {
    temp_dir dir;
    const cp::counters counts{{"assembled", 41}, {"hired", 9}};
    const std::int64_t clock = 1'700'000'000'123'000'000;
    {
        cp::snapshot_writer out(dir.path() / "direct.snap", cp::part::workshop, 1, 7, bp);
        out.set_clock(clock);
        out.set_counters(counts);
        each_test_worker(5000, [&](auto... a) { out.add_worker(a...); });
        out.finish();
    }
    auto stats = std::make_unique<factory::shm::workshop_stats>();
    factory::workshop::snapshot_thread t(*stats);
    // A hint far below the roster: the copy grows while it is made.
    t.begin(dir.path() / "threaded.snap", 1, 7, bp, clock, counts, 10);
    each_test_worker(5000, [&](auto... a) { t.add(a...); });
    t.start();
    CHECK(t.wait().empty());
    CHECK(stats->snapshot_written.load() == 7);
    CHECK(stats->snapshot_failed.load() == 0);
    CHECK(read_file(dir / "threaded.snap") == read_file(dir / "direct.snap"));
    cp::snapshot_reader back(dir.path() / "threaded.snap");
    CHECK(back.workers() == 5000);
    CHECK(back.clock_ns() == clock);

    // The copy is reused: a second, smaller snapshot holds only its own workers.
    t.begin(dir.path() / "second.snap", 1, 8, bp, clock, counts, 0);
    each_test_worker(3, [&](auto... a) { t.add(a...); });
    t.start();
    CHECK(t.wait().empty());
    CHECK(stats->snapshot_written.load() == 8);
    CHECK(cp::snapshot_reader(dir.path() / "second.snap").workers() == 3);
}

TEST_CASE("a snapshot the thread cannot write is reported in the stats and by wait(), and leaves no file",
          "[workshop][checkpoints]") {
    temp_dir dir;
    auto stats = std::make_unique<factory::shm::workshop_stats>();
    factory::workshop::snapshot_thread t(*stats);
    const auto file = dir.path() / "no-such-folder" / "workshop-1.snap";
    t.begin(file, 0, 3, bp, 0, {}, 4);
    each_test_worker(4, [&](auto... a) { t.add(a...); });
    t.start();
    const std::string why = t.wait();
    CHECK(why.find("no-such-folder") != std::string::npos);
    CHECK(stats->snapshot_failed.load() == 3);
    CHECK(stats->snapshot_written.load() == 0);
    CHECK_FALSE(fs::exists(file));
    CHECK(t.wait().empty()); // told once
}
