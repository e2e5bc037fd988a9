// The kafka source's partitions and its position: the offsets round-trip, partitions not read yet
// are left out, and a position of other topics, cut short or too large is refused saying so.
#include "source_kafka/partition_table.hpp"

#include <factory/settings.hpp>

#include <catch2/catch.hpp>

#include <array>

using namespace factory::kafka;

TEST_CASE("the table finds assigned partitions and forgets revoked ones", "[kafka]") {
    partition_table t;
    t.assign(0, 0, -1);
    t.assign(0, 1, 5);
    t.assign(1, 0, 9);
    REQUIRE(t.find(0, 1) != nullptr);
    CHECK(t.find(0, 1)->at.next == 5);
    CHECK(t.find(1, 1) == nullptr);
    t.revoke(0, 1);
    CHECK(t.find(0, 1) == nullptr);
    CHECK(t.find(1, 0)->at.next == 9);
    CHECK_FALSE(t.all_at_end());
    t.find(0, 0)->at_end = true;
    t.find(1, 0)->at_end = true;
    CHECK(t.all_at_end());
}

TEST_CASE("a position holds the next offset of every partition read, and reads back", "[kafka]") {
    const std::vector<std::string> topics{"in", "more"};
    const auto fp = topics_fingerprint(topics);
    partition_table t;
    t.assign(0, 0, 12);
    t.assign(0, 2, -1); // assigned, nothing read: left out
    t.assign(1, 7, 1234567890123);
    std::array<std::byte, 64> buf{};
    const std::size_t n = encode_position(t, fp, buf);
    CHECK(n == 2 + 8 + 1 + 3 + (1 + 1 + 6));
    auto back = decode_position(std::span<const std::byte>(buf.data(), n), fp, topics.size());
    CHECK(back == std::vector<partition_offset>{{0, 0, 12}, {1, 7, 1234567890123}});
}

TEST_CASE("a position is refused when it does not fit this source", "[kafka]") {
    const auto fp = topics_fingerprint({"in"});
    partition_table t;
    t.assign(0, 0, 3);
    std::array<std::byte, 32> buf{};
    const std::size_t n = encode_position(t, fp, buf);
    const std::span<const std::byte> pos(buf.data(), n);
    CHECK_THROWS_WITH(decode_position(pos, topics_fingerprint({"other"}), 1),
                      Catch::StartsWith("this position was written for other topics"));
    CHECK_THROWS_WITH(decode_position(pos.first(n - 1), fp, 1), Catch::StartsWith("kafka source position is cut short"));
    CHECK_THROWS_WITH(decode_position(std::span<const std::byte>(buf.data() + 1, n - 1), fp, 1),
                      "this position was not written by the kafka source (version 1)");
    std::array<std::byte, 40> longer{};
    std::copy(pos.begin(), pos.end(), longer.begin());
    CHECK_THROWS_WITH(decode_position(std::span<const std::byte>(longer.data(), n + 1), fp, 1),
                      "kafka source position has 1 bytes left over");
    // Too small a room: both sizes named.
    std::array<std::byte, 8> small{};
    CHECK_THROWS_WITH(encode_position(t, fp, small), Catch::Contains("needs 14 bytes, more than the 8"));
}
