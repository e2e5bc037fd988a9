// The changelog's records: a worker round-trips through its value, keys are decimal pids, a value
// of someone else is refused saying so, the latest record of a pid wins and a tombstone removes it,
// and the commit metadata names the committed checkpoint's changelog records (or none).
#include "source_kafka/changelog_record.hpp"

#include <factory/plugin.hpp>

#include <catch2/catch.hpp>

using namespace factory::kafka;

TEST_CASE("a changelog worker round-trips through its record", "[kafka]") {
    const changelog_worker w{1'700'000'000'000'000'000, 1'700'000'001'000'000'000, 42, "flows", std::string("\x05\0\0\0\0\0\0\0", 8)};
    const std::string value = encode_changelog_value(w);
    CHECK(value.size() == 29 + 5 + 8);
    CHECK(decode_changelog_value(value) == w);
    CHECK(changelog_key(18446744073709551615ULL) == "18446744073709551615");
    CHECK(changelog_pid("18446744073709551615") == 18446744073709551615ULL);
    CHECK_THROWS_WITH(changelog_pid("k7"), "changelog record key 'k7' is not a pid: the changelog topic holds records "
                                           "factory did not write");
    CHECK_THROWS_WITH(decode_changelog_value("{\"json\":1}"),
                      "changelog record value is not a worker written by the kafka source (version 1)");
    CHECK_THROWS_WITH(decode_changelog_value(value.substr(0, value.size() - 1)),
                      "changelog record value has 41 bytes, its header says 42");
}

TEST_CASE("the latest changelog record of a pid wins, and a tombstone removes it", "[kafka]") {
    changelog_state s;
    changelog_worker a{1, 2, 3, "in", "a"};
    changelog_worker b{1, 5, 6, "in", "b"};
    s.apply("7", encode_changelog_value(a));
    s.apply("8", encode_changelog_value(a));
    s.apply("7", encode_changelog_value(b));
    s.apply("8", std::nullopt);
    s.apply("9", std::nullopt); // a tombstone of a pid not seen: nothing to remove
    REQUIRE(s.workers().size() == 1);
    CHECK(s.workers().at(7) == b);
}

TEST_CASE("commit metadata names the changelog records of the committed checkpoint", "[kafka]") {
    const auto r = changelog_range_of(commit_metadata({1200, 1234}));
    CHECK(commit_metadata({1200, 1234}) == "changelog=1200-1234");
    CHECK(r.start == 1200);
    CHECK(r.end == 1234);
    CHECK(changelog_range_of("changelog=77").start == 0); // an end alone: from the partition's start
    CHECK(changelog_range_of("changelog=77").end == 77);
    CHECK(changelog_range_of("changelog=5-5").end == 5);
    for (const char* bad : {"", "changelog=", "changelog=12x", "other", "changelog=9-3", "changelog=-4", "changelog=3-"})
        CHECK(changelog_range_of(bad).end == -1);
}
