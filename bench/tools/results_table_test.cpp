#include "results_table.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace factory::bench;

TEST_CASE("summarize: median of an odd and an even count, min and max") {
    auto odd = summarize({5, 1, 9});
    CHECK(odd.count == 3);
    CHECK(odd.median == 5);
    CHECK(odd.min == 1);
    CHECK(odd.max == 9);
    auto even = summarize({4, 1, 3, 10});
    CHECK(even.median == 3.5);
    CHECK(summarize({}).count == 0);
}

TEST_CASE("format_number: SI suffixes from 10,000, whole numbers from 100, 3 digits below") {
    CHECK(format_number(25'123'456) == "25.1M");
    CHECK(format_number(1'250'000'000) == "1.25G");
    CHECK(format_number(12'345) == "12.3k");
    CHECK(format_number(1843.4) == "1843");
    CHECK(format_number(0.5234) == "0.523");
    CHECK(format_number(3) == "3");
}

TEST_CASE("results_table: cells aggregate their lines; tables, rows and columns keep their order") {
    std::istringstream in("rate\tk=5000\tfactory\t30e6\n"
                          "rate\tk=5000\tfactory\t20e6\n"
                          "rate\tk=5000\tfactory\t25e6\n"
                          "rate\tk=1M\tfactory\t10e6\n"
                          "\n"
                          "not a measurement\n"
                          "latency\tfull\tp99\t1500\n"
                          "rate\tk=5000\treference\t60e6\n");
    results_table t;
    CHECK(t.read(in) == 1);
    auto s = t.stats("rate", "k=5000", "factory");
    CHECK(s.count == 3);
    CHECK(s.median == 25e6);
    CHECK(t.stats("rate", "k=1M", "reference").count == 0);
    CHECK(t.markdown("keys") == "#### rate\n\n"
                                "| keys | factory | reference |\n"
                                "|---|---|---|\n"
                                "| k=5000 | 25M (20M-30M) | 60M |\n"
                                "| k=1M | 10M | - |\n\n"
                                "#### latency\n\n"
                                "| keys | p99 |\n"
                                "|---|---|\n"
                                "| full | 1500 |\n\n");
}

TEST_CASE("results_table: a failed run shows as its text, not hidden behind a median") {
    results_table t;
    t.add("rate", "k=5000", "factory", "31e6");
    t.add("rate", "k=5000", "factory", "failed");
    auto s = t.stats("rate", "k=5000", "factory");
    CHECK(s.count == 1);
    CHECK(s.text == "failed");
    CHECK(t.markdown("run").find("| k=5000 | failed |") != std::string::npos);
}
