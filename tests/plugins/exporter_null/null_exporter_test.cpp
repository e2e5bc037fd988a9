#include "exporter_null/null_exporter.hpp"
#include "support/fake_transport.hpp"
#include "support/load_plugin.hpp"
#include "support/sample_products.hpp"

#include <catch2/catch.hpp>

using namespace factory::testing;

TEST_CASE("null takes every batch, counts it, and says so at close") {
    const factory_descriptor* d = factory::detail::exporter_descriptor<factory::output::null_exporter>();
    fake_transport t(d, sample_pclasses());
    REQUIRE(t.open() == FACTORY_OK);
    CHECK(t.export_records(0, std::vector<flow_record>{make_flow(1, 1), make_flow(2, 2), make_flow(3, 3)}) == FACTORY_OK);
    CHECK(t.export_records(1, std::vector<alert_record>{make_alert(1, 1, "a"), make_alert(2, 2, "b")}) == FACTORY_OK);
    CHECK(t.flush() == FACTORY_OK);
    CHECK(t.host.logs.empty());
    t.close();
    REQUIRE(t.host.logs.size() == 1);
    CHECK_THAT(t.host.logs[0], Catch::Contains("discarded 5 products in 2 batches"));
}

TEST_CASE("the built null exporter describes itself") {
    const factory_descriptor* d = load_plugin(FACTORY_TEST_PLUGIN);
    CHECK(std::string(d->name) == "null");
    CHECK(d->kind == FACTORY_KIND_EXPORTER);
    CHECK(d->setting_count == 0);
}
