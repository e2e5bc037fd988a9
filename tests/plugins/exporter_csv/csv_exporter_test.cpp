#include "exporter_csv/csv_exporter.hpp"
#include "support/fake_transport.hpp"
#include "support/load_plugin.hpp"
#include "support/sample_products.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <sys/resource.h>

#include <csignal>
#include <filesystem>
#include <string>

using namespace factory::testing;

namespace {

const factory_descriptor* descriptor() { return factory::detail::exporter_descriptor<factory::output::csv_exporter>(); }

const std::string flows_header = "pid,bytes,src,at,note\n";
const std::string flow1 = "1,100,10.0.0.1,1700000000000000001,first\n";
const std::string flow2 = "2,200,10.0.0.2,1700000000000000002,\"a \"\"q\"\"\"\n";
const std::string alerts_header = "pid,level,message\n";
const std::string alert7 = "7,3,\"disk, full\"\n";

void export_sample(fake_transport& t) {
    REQUIRE(t.export_records(0, std::vector<flow_record>{make_flow(1, 100, "first"), make_flow(2, 200, "a \"q\"")}) ==
            FACTORY_OK);
    REQUIRE(t.export_records(1, std::vector<alert_record>{make_alert(7, 3, "disk, full")}) == FACTORY_OK);
}

} // namespace

TEST_CASE("one <pclass>.csv per pclass with its header once") {
    temp_dir d;
    fake_transport t(descriptor(), sample_pclasses(), {{"dir", d.path().string()}});
    REQUIRE(t.open() == FACTORY_OK);
    export_sample(t);
    REQUIRE(t.export_records(0, std::vector<flow_record>{make_flow(1, 100, "first")}) == FACTORY_OK);
    REQUIRE(t.flush() == FACTORY_OK);
    CHECK(read_file(d / "flows.csv") == flows_header + flow1 + flow2 + flow1);
    CHECK(read_file(d / "alerts.csv") == alerts_header + alert7);
    CHECK_FALSE(std::filesystem::exists(d / "unused.csv"));
    CHECK(mode_of(d / "flows.csv") == 0600);
    CHECK(mode_of(d / "alerts.csv") == 0600);
}

TEST_CASE("an existing file is refused by default, appending adds no second header, replace starts afresh") {
    temp_dir d;
    const std::string dir = d.path().string();
    for (const char* mode : {"refuse", "append"}) {
        fake_transport t(descriptor(), sample_pclasses(), {{"dir", dir}, {"mode", mode}});
        REQUIRE(t.open() == FACTORY_OK);
        export_sample(t);
        REQUIRE(t.flush() == FACTORY_OK);
    }
    CHECK(read_file(d / "alerts.csv") == alerts_header + alert7 + alert7);
    {
        fake_transport t(descriptor(), sample_pclasses(), {{"dir", dir}});
        CHECK(t.open() == FACTORY_ERROR);
        CHECK(t.error == "'" + dir + "/flows.csv' exists already (" +
                             std::to_string((flows_header + flow1 + flow2 + flow1 + flow2).size()) +
                             " bytes): set mode=append to add to it, or mode=replace to start "
                             "it afresh, or choose another dir");
    }
    fake_transport t(descriptor(), sample_pclasses(), {{"dir", dir}, {"mode", "replace"}});
    REQUIRE(t.open() == FACTORY_OK);
    export_sample(t);
    REQUIRE(t.flush() == FACTORY_OK);
    CHECK(read_file(d / "alerts.csv") == alerts_header + alert7);
}

TEST_CASE("invalid UTF-8 in a string field becomes U+FFFD, as in JSON, and valid UTF-8 stays") {
    temp_dir d;
    fake_transport t(descriptor(), sample_pclasses(), {{"dir", d.path().string()}});
    REQUIRE(t.open() == FACTORY_OK);
    REQUIRE(t.export_records(0, std::vector<flow_record>{make_flow(1, 100, "a\xff\xc3\xa9\xe2\x82"),
                                                         make_flow(2, 200, "\"\x80\",")}) == FACTORY_OK);
    t.close();
    CHECK(read_file(d / "flows.csv") == flows_header + "1,100,10.0.0.1,1700000000000000001,a\xef\xbf\xbd\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\n" +
                                           "2,200,10.0.0.2,1700000000000000002,\"\"\"\xef\xbf\xbd\"\",\"\n");
}

TEST_CASE("a csv file deleted under the run: error at flush, and its successor gets a header") {
    temp_dir d;
    fake_transport t(descriptor(), sample_pclasses(), {{"dir", d.path().string()}});
    REQUIRE(t.open() == FACTORY_OK);
    export_sample(t);
    REQUIRE(t.flush() == FACTORY_OK);
    std::filesystem::remove(d / "flows.csv");
    REQUIRE(t.export_records(0, std::vector<flow_record>{make_flow(2, 200, "a \"q\"")}) == FACTORY_OK);
    CHECK(t.flush() == FACTORY_ERROR);
    CHECK_THAT(t.error, Catch::Contains(d / "flows.csv") && Catch::Contains("was deleted"));
    REQUIRE(t.export_records(0, std::vector<flow_record>{make_flow(1, 100, "first")}) == FACTORY_OK);
    REQUIRE(t.flush() == FACTORY_OK);
    CHECK(read_file(d / "flows.csv") == flows_header + flow1);
    CHECK(read_file(d / "alerts.csv") == alerts_header + alert7); // untouched
}

TEST_CASE("a refused first batch takes its header along, the retried batch brings it back once") {
    temp_dir d;
    fake_transport t(descriptor(), sample_pclasses(), {{"dir", d.path().string()}, {"buffer", "1"}});
    REQUIRE(t.open() == FACTORY_OK);
    std::vector<flow_record> batch{make_flow(1, 100, "first")};
    {
        rlimit saved{};
        REQUIRE(getrlimit(RLIMIT_FSIZE, &saved) == 0);
        auto old = std::signal(SIGXFSZ, SIG_IGN);
        rlimit tiny = saved;
        tiny.rlim_cur = 10; // less than the header: the write stops part-way
        REQUIRE(setrlimit(RLIMIT_FSIZE, &tiny) == 0);
        int rc = t.export_records(0, batch);
        setrlimit(RLIMIT_FSIZE, &saved);
        std::signal(SIGXFSZ, old);
        CHECK(rc == FACTORY_RETRY);
        CHECK_THAT(t.error, Catch::Contains("flows.csv") && Catch::Contains("File too large"));
    }
    CHECK(read_file(d / "flows.csv").empty());
    REQUIRE(t.export_records(0, batch) == FACTORY_OK);
    CHECK(read_file(d / "flows.csv") == flows_header + flow1);
}

TEST_CASE("a csv file that cannot be created answers retry with its path") {
    temp_dir d;
    std::filesystem::create_directory(d / "alerts.csv");
    fake_transport t(descriptor(), sample_pclasses(), {{"dir", d.path().string()}});
    REQUIRE(t.open() == FACTORY_OK);
    CHECK(t.export_records(1, std::vector<alert_record>{make_alert(7, 3, "x")}) == FACTORY_RETRY);
    CHECK_THAT(t.error, Catch::Contains("alerts.csv") && Catch::Contains("Is a directory"));
}

TEST_CASE("ISO times on request") {
    temp_dir d;
    fake_transport t(descriptor(), sample_pclasses(), {{"dir", d.path().string()}, {"time", "iso8601"}});
    REQUIRE(t.open() == FACTORY_OK);
    REQUIRE(t.export_records(0, std::vector<flow_record>{make_flow(1, 100, "first")}) == FACTORY_OK);
    t.close();
    CHECK(read_file(d / "flows.csv") == flows_header + "1,100,10.0.0.1,2023-11-14T22:13:20.000Z,first\n");
}

TEST_CASE("an unusable folder is an error at open") {
    temp_dir d;
    write_file(d / "plain", "x");
    fake_transport t(descriptor(), sample_pclasses(), {{"dir", d / "plain/csv"}});
    CHECK(t.open() == FACTORY_ERROR);
    CHECK_THAT(t.error, Catch::Contains("setting 'dir'") && Catch::Contains("plain/csv"));
}

TEST_CASE("the built csv exporter describes itself") {
    const factory_descriptor* d = load_plugin(FACTORY_TEST_PLUGIN);
    CHECK(std::string(d->name) == "csv");
    CHECK(d->kind == FACTORY_KIND_EXPORTER);
    for (const char* k : {"dir", "mode", "fsync", "buffer", "time"}) CHECK(find_setting(d, k) != nullptr);
}
