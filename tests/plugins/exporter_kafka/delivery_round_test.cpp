// The kafka exporter's round: counts by state, the first error kept, messages sent again, and
// reports of a round the host gave up on never touching the next one.
#include "exporter_kafka/delivery_round.hpp"

#include <catch2/catch.hpp>

using factory::kafka::delivery_round;
using st = delivery_round::state;

namespace {

std::uint32_t add(delivery_round& r, std::uint32_t pclass, std::uint64_t pid, const std::string& value) {
    const std::size_t mark = r.arena().size();
    r.arena().append(value);
    return r.add(pclass, pid, 0, mark);
}

} // namespace

TEST_CASE("a round is complete once every message is delivered, and keeps each value", "[kafka]") {
    delivery_round r;
    const auto a = add(r, 0, 7, "{\"pid\":7}");
    const auto b = add(r, 2, 8, "xyz");
    REQUIRE(r.size() == 2);
    CHECK(r.value(r[a]) == "{\"pid\":7}");
    CHECK(r.value(r[b]) == "xyz");
    CHECK(r[b].pclass == 2);
    CHECK(r.count(st::in_flight) == 2);
    CHECK_FALSE(r.complete());
    r.delivered(*r.find(r.opaque(a)));
    CHECK_FALSE(r.complete());
    r.delivered(*r.find(r.opaque(b)));
    CHECK(r.complete());
    CHECK(r.count(st::delivered) == 2);
    CHECK(r.count(st::in_flight) == 0);
}

TEST_CASE("failed and refused messages are counted apart, with the round's first reason", "[kafka]") {
    delivery_round r;
    for (int i = 0; i < 4; ++i) add(r, 0, static_cast<std::uint64_t>(i), "v");
    r.failed(r[0], false, "topic 't': Local: Message timed out");
    r.failed(r[1], true, "topic 't': Broker: Message size too large");
    r.delivered(r[2]);
    CHECK(r.count(st::failed) == 1);
    CHECK(r.count(st::refused) == 1);
    CHECK(r.count(st::delivered) == 1);
    CHECK(r.count(st::in_flight) == 1);
    CHECK(r.first_error() == "topic 't': Local: Message timed out");
    // Sent again: in flight once more, then delivered.
    r.sent_again(r[0]);
    CHECK(r.count(st::failed) == 0);
    CHECK(r.count(st::in_flight) == 2);
    r.delivered(r[0]);
    r.delivered(r[3]);
    CHECK_FALSE(r.complete()); // the refused one never arrives
}

TEST_CASE("after reset, reports of the old round's messages find nothing", "[kafka]") {
    delivery_round r;
    add(r, 0, 1, "old");
    void* old = r.opaque(0);
    REQUIRE(r.find(old) == &r[0]);
    r.reset();
    CHECK(r.size() == 0);
    CHECK(r.arena().empty());
    CHECK(r.first_error().empty());
    add(r, 0, 2, "new"); // the same index as the old message
    CHECK(r.find(old) == nullptr);
    CHECK(r.find(r.opaque(0)) == &r[0]);
    CHECK(r[0].pid == 2);
    // An index beyond the round is no message either.
    CHECK(r.find(r.opaque(5)) == nullptr);
}
