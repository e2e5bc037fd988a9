// A figure, not a test: ./test_plugins_exporter_sqlite "[bench]"
#include "exporter_sqlite/sqlite_exporter.hpp"
#include "query.hpp"
#include "support/fake_transport.hpp"
#include "support/sample_products.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <iostream>

using namespace factory::testing;

TEST_CASE("sqlite: rows inserted per second, in batches of 10000", "[.][bench]") {
    temp_dir d;
    fake_transport t(factory::detail::exporter_descriptor<factory::sqlite::sqlite_exporter>(), sample_pclasses(),
                     {{"file", d / "bench.db"}, {"index", "bytes,src"}});
    REQUIRE(t.open() == FACTORY_OK);
    std::vector<flow_record> batch;
    for (std::uint64_t i = 0; i < 10'000; ++i) batch.push_back(make_flow(i, 40 + i % 1460, "bench"));
    const int rounds = 100;
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < rounds; ++i) REQUIRE(t.export_records(0, batch) == FACTORY_OK);
    std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
    std::cout << "sqlite: " << rounds * 10'000 / dt.count() / 1e6 << " M rows/s (two indexes, synchronous=normal)\n";
    CHECK(query(d / "bench.db", "SELECT count(*) FROM flows") == rows{{"i:1000000"}});
}
