// The latency histogram: bucket bounds, where values fall, and quantiles of one or several.
#include "common/histogram.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>

using factory::latency_histogram;
using factory::latency_summary;

TEST_CASE("values below 8 have a bucket each, and above them 8 buckets per power of two", "[histogram]") {
    for (std::uint64_t v = 0; v < 8; ++v) {
        CHECK(latency_histogram::index_of(v) == v);
        CHECK(latency_histogram::upper_of(static_cast<unsigned>(v)) == v);
    }
    CHECK(latency_histogram::index_of(8) == 8);
    CHECK(latency_histogram::index_of(15) == 15);
    CHECK(latency_histogram::index_of(16) == 16);
    CHECK(latency_histogram::index_of(17) == 16); // 16..17 share a bucket
    CHECK(latency_histogram::index_of(18) == 17);
    CHECK(latency_histogram::upper_of(16) == 17);
    CHECK(latency_histogram::upper_of(23) == 31);
    CHECK(latency_histogram::index_of(1000) == 63);
    CHECK(latency_histogram::upper_of(63) == 1023);
    CHECK(latency_histogram::index_of(UINT64_MAX) == latency_histogram::buckets - 1);
    CHECK(latency_histogram::upper_of(latency_histogram::buckets - 1) == UINT64_MAX);
}

TEST_CASE("every value falls in the bucket whose bounds hold it, within 12.5%", "[histogram]") {
    std::uint64_t checked = 0;
    for (std::uint64_t v = 1; v < (std::uint64_t{1} << 62); v = v * 3 + 1) {
        unsigned i = latency_histogram::index_of(v);
        INFO("value " << v << ", bucket " << i);
        REQUIRE(i < latency_histogram::buckets);
        CHECK(latency_histogram::upper_of(i) >= v);
        if (i > 0) CHECK(latency_histogram::upper_of(i - 1) < v);
        CHECK(static_cast<double>(latency_histogram::upper_of(i) - v) <= static_cast<double>(v) * 0.125);
        ++checked;
    }
    CHECK(checked == 39);
}

TEST_CASE("quantiles are the upper bound of the bucket that holds them", "[histogram]") {
    auto h = std::make_unique<latency_histogram>();
    latency_summary empty;
    CHECK(empty.quantile(0.5) == 0);

    h->record(5, 90);    // 90 values of 5 ns
    h->record(1000, 9);  // 9 of 1000 ns
    h->record(100'000);  // one of 100 us
    latency_summary s;
    s.add(*h);
    CHECK(s.total == 100);
    CHECK(s.quantile(0.0) == 5);
    CHECK(s.quantile(0.5) == 5);
    CHECK(s.quantile(0.9) == 5);
    CHECK(s.quantile(0.95) == 1023);
    CHECK(s.quantile(1.0) == latency_histogram::upper_of(latency_histogram::index_of(100'000)));
}

TEST_CASE("a summary adds several histograms (one per workshop)", "[histogram]") {
    auto a = std::make_unique<latency_histogram>();
    auto b = std::make_unique<latency_histogram>();
    a->record(3, 10);
    b->record(3, 5);
    b->record(2000, 15);
    latency_summary s;
    s.add(*a);
    s.add(*b);
    CHECK(s.total == 30);
    CHECK(s.counts[3] == 15);
    CHECK(s.quantile(0.25) == 3);
    CHECK(s.quantile(0.75) == latency_histogram::upper_of(latency_histogram::index_of(2000)));
}
