// "Did you mean": the distance between names and when a name is close enough to suggest.
#include "cli/suggest.hpp"

#include <catch2/catch.hpp>

using namespace factory::cli;

TEST_CASE("edit distance counts inserts, deletes, replacements and swapped neighbours") {
    CHECK(edit_distance("contract", "contract") == 0);
    CHECK(edit_distance("contrat", "contract") == 1);     // a letter left out
    CHECK(edit_distance("wrokshops", "workshops") == 1);  // two letters swapped
    CHECK(edit_distance("fiel", "file") == 1);
    CHECK(edit_distance("websession", "web_sessions") == 2);
    CHECK(edit_distance("", "abc") == 3);
    CHECK(edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("the closest name is suggested only when it is close") {
    const std::vector<std::string> settings = {"file", "key", "time", "time_unit"};
    CHECK(closest("fiel", settings) == "file");
    CHECK(closest("tme", settings) == "time");
    CHECK(closest("time_units", settings) == "time_unit");
    CHECK(closest("colour", settings).empty());
    CHECK(closest("", settings).empty());
    CHECK(closest("file", settings).empty()); // an exact name is not a typo

    const std::vector<std::string> plugins = {"web_sessions", "widget", "tally"};
    CHECK(closest("websession", plugins) == "web_sessions");
    CHECK(closest("widgte", plugins) == "widget");
    CHECK(did_you_mean("contrat", {"contract", "clock"}, "--") == "did you mean '--contract'?");
    CHECK(did_you_mean("zzz", {"contract", "clock"}).empty());
}
