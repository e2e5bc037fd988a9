// Which partition each pid came from: a pid from a second partition is counted once per change,
// the same partition again is not, and the pid's partition is the newest.
#include "source_kafka/pid_partitions.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

using namespace factory::kafka;

TEST_CASE("a pid that comes from a second partition is counted, once per change", "[kafka]") {
    pid_partitions p;
    CHECK(p.partition_of(7) == -1);
    CHECK_FALSE(p.note(7, 0));
    CHECK_FALSE(p.note(7, 0));
    CHECK_FALSE(p.note(8, 1));
    CHECK(p.moved() == 0);
    CHECK(p.note(7, 1));
    CHECK(p.partition_of(7) == 1);
    CHECK_FALSE(p.note(7, 1)); // its partition is now the newer one
    CHECK(p.note(7, 0));
    CHECK(p.moved() == 2);
    CHECK(p.size() == 2);
    CHECK(p.partition_of(8) == 1);
}

TEST_CASE("the pids of a partition handed over are listed and forgotten, and one coming back is not counted as moved",
          "[kafka]") {
    pid_partitions p;
    (void)p.note(1, 0);
    (void)p.note(2, 1);
    (void)p.note(3, 1);
    std::vector<std::uint64_t> of_1;
    p.each([&](std::uint64_t pid, std::int32_t partition) {
        if (partition == 1) of_1.push_back(pid);
    });
    std::sort(of_1.begin(), of_1.end());
    CHECK(of_1 == std::vector<std::uint64_t>{2, 3});
    for (const auto pid : of_1) p.forget(pid);
    CHECK(p.size() == 1);
    CHECK(p.partition_of(2) == -1);
    // Its partition comes back (restored from the changelog) as a fresh pid, not a moved one.
    CHECK_FALSE(p.note(2, 1));
    CHECK(p.moved() == 0);
}
