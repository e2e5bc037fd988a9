// The sessions example's pure logic (examples/blueprint_sessions/session.hpp), without a host.
#include "blueprint_sessions/session.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace example::sessions;

namespace {

std::string reason_text(const session_product& p) {
    std::string s(p.end_reason, sizeof p.end_reason);
    return s.substr(0, s.find('\0'));
}

} // namespace

TEST_CASE("a session spans its earliest to its latest material, whatever their order") {
    session_state s{};
    add(s, 5'000, 10);
    add(s, 2'000, 20);
    add(s, 9'000, 30);
    add(s, 7'000, 40);
    CHECK(s.materials == 4);
    CHECK(s.bytes == 100);
    CHECK(s.start_ns == 2'000);
    CHECK(s.end_ns == 9'000);

    session_product p = finish(s, 42, factory::fire_reason::idle);
    CHECK(p.pid == 42);
    CHECK(p.start.value == 2'000);
    CHECK(p.end.value == 9'000);
    CHECK(p.duration_ns == 7'000);
    CHECK(p.materials == 4);
    CHECK(p.bytes == 100);
    // 100 bytes in 7 us.
    CHECK(p.bytes_per_second == Approx(100.0 / 7e-6));
    CHECK(reason_text(p) == "idle");
}

TEST_CASE("a session of one instant has a rate of 0, not a division by zero") {
    session_state s{};
    add(s, 1'000, 64);
    add(s, 1'000, 64);
    session_product p = finish(s, 1, factory::fire_reason::done);
    CHECK(p.duration_ns == 0);
    CHECK(p.bytes_per_second == 0.0);
    CHECK(reason_text(p) == "done");
}

TEST_CASE("every fire reason fits the end_reason field, the longest filling it exactly") {
    session_state s{};
    add(s, 1, 1);
    CHECK(reason_text(finish(s, 1, factory::fire_reason::shutdown)) == "shutdown");
    CHECK(reason_text(finish(s, 1, factory::fire_reason::max_age)) == "max_age");
    CHECK(reason_text(finish(s, 1, factory::fire_reason::evicted)) == "evicted");
}

TEST_CASE("progress 'changed' reports only sessions with new materials, with the deltas") {
    session_state s{};
    add(s, 100, 10);
    add(s, 200, 20);
    progress_product p{};
    REQUIRE(take_progress(s, progress_mode::changed, 9, 1'000, p));
    CHECK(p.pid == 9);
    CHECK(p.start.value == 100);
    CHECK(p.at.value == 1'000);
    CHECK(p.materials == 2);
    CHECK(p.bytes == 30);
    CHECK(p.new_materials == 2);
    CHECK(p.new_bytes == 30);
    CHECK(p.report == 1);

    CHECK_FALSE(take_progress(s, progress_mode::changed, 9, 2'000, p));
    CHECK(p.report == 1); // untouched when nothing was due

    add(s, 300, 5);
    REQUIRE(take_progress(s, progress_mode::changed, 9, 3'000, p));
    CHECK(p.materials == 3);
    CHECK(p.new_materials == 1);
    CHECK(p.new_bytes == 5);
    CHECK(p.report == 2);
    CHECK(finish(s, 9, factory::fire_reason::idle).reports == 2);
}

TEST_CASE("progress 'always' reports at every visit, 'off' never") {
    session_state s{};
    add(s, 100, 10);
    progress_product p{};
    REQUIRE(take_progress(s, progress_mode::always, 1, 1'000, p));
    REQUIRE(take_progress(s, progress_mode::always, 1, 2'000, p));
    CHECK(p.new_materials == 0);
    CHECK(p.materials == 1);
    CHECK(p.report == 2);

    session_state quiet{};
    add(quiet, 100, 10);
    CHECK_FALSE(take_progress(quiet, progress_mode::off, 1, 1'000, p));
    CHECK(quiet.reports == 0);
}

TEST_CASE("the progress setting accepts its three words and names itself otherwise") {
    CHECK(parse_progress_mode("changed") == progress_mode::changed);
    CHECK(parse_progress_mode("always") == progress_mode::always);
    CHECK(parse_progress_mode("off") == progress_mode::off);
    CHECK_THROWS_WITH(parse_progress_mode("sometimes"),
                      Catch::Contains("'progress'") && Catch::Contains("changed, always or off"));
}
