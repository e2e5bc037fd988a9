// Which partition each pid came from: a pid from a second partition is counted once per change,
// the same partition again is not, and the pid's partition is the newest.
#include "source_kafka/pid_partitions.hpp"

#include <catch2/catch.hpp>

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
