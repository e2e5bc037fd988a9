// Checkpoints of the csv exporter: a job resumed from epoch k finds its files exactly as they were
// at commit k, to the byte, and a file cut back to nothing gets its header again.
#include "exporter_csv/csv_exporter.hpp"
#include "support/fake_transport.hpp"
#include "support/sample_products.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

using namespace factory::testing;
namespace fs = std::filesystem;

namespace {

const factory_descriptor* descriptor() { return factory::detail::exporter_descriptor<factory::output::csv_exporter>(); }

constexpr std::uint32_t resume = FACTORY_EXPORT_CHECKPOINTS | FACTORY_EXPORT_RESUME;

} // namespace

TEST_CASE("csv: resuming from epoch 1 or 2 returns every file to what it held at that commit") {
    temp_dir d;
    const std::string dir = d / "out";
    std::string flows1, flows2, alerts2;
    {
        fake_transport t(descriptor(), sample_pclasses(), {{"dir", dir}});
        REQUIRE(t.open(FACTORY_EXPORT_CHECKPOINTS) == FACTORY_OK);
        REQUIRE(t.export_records(0, std::vector<flow_record>{make_flow(1, 100, "first")}) == FACTORY_OK);
        REQUIRE(t.flush() == FACTORY_OK);
        REQUIRE(t.commit(1) == FACTORY_OK);
        flows1 = read_file(dir + "/flows.csv");
        REQUIRE(t.export_records(0, std::vector<flow_record>{make_flow(2, 200, "second")}) == FACTORY_OK);
        REQUIRE(t.export_records(1, std::vector<alert_record>{make_alert(7, 3, "disk")}) == FACTORY_OK);
        REQUIRE(t.flush() == FACTORY_OK);
        REQUIRE(t.commit(2) == FACTORY_OK);
        flows2 = read_file(dir + "/flows.csv");
        alerts2 = read_file(dir + "/alerts.csv");
        REQUIRE(t.export_records(0, std::vector<flow_record>{make_flow(3, 300, "uncommitted")}) == FACTORY_OK);
        REQUIRE(t.flush() == FACTORY_OK);
    }
    CHECK(flows1 == "pid,bytes,src,at,note\n1,100,10.0.0.1,1700000000000000001,first\n");
    const std::string copy = d / "copy";
    fs::copy(dir, copy, fs::copy_options::recursive);
    {
        fake_transport t(descriptor(), sample_pclasses(), {{"dir", dir}});
        REQUIRE(t.open(resume, 2) == FACTORY_OK);
        CHECK(read_file(dir + "/flows.csv") == flows2);
        CHECK(read_file(dir + "/alerts.csv") == alerts2);
    }
    fake_transport t(descriptor(), sample_pclasses(), {{"dir", copy}});
    REQUIRE(t.open(resume, 1) == FACTORY_OK);
    CHECK(read_file(copy + "/flows.csv") == flows1);
    CHECK(read_file(copy + "/alerts.csv").empty());
    // The replay writes the alert again: the emptied file gets its header first.
    REQUIRE(t.export_records(1, std::vector<alert_record>{make_alert(7, 3, "disk")}) == FACTORY_OK);
    REQUIRE(t.flush() == FACTORY_OK);
    CHECK(read_file(copy + "/alerts.csv") == alerts2);
}
