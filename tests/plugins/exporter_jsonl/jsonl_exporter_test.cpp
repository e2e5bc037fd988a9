#include "exporter_jsonl/jsonl_exporter.hpp"
#include "support/fake_transport.hpp"
#include "support/load_plugin.hpp"
#include "support/sample_products.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

using namespace factory::testing;

namespace {

const factory_descriptor* descriptor() {
    return factory::detail::exporter_descriptor<factory::output::jsonl_exporter>();
}

const std::string flow1 = R"({"pid":1,"bytes":100,"src":"10.0.0.1","at":1700000000000000001,"note":"first"})";
const std::string flow2 = R"({"pid":2,"bytes":200,"src":"10.0.0.2","at":1700000000000000002,"note":"a \"q\""})";
const std::string alert7 = R"({"pid":7,"level":3,"message":"disk, full"})";

void export_sample(fake_transport& t) {
    REQUIRE(t.export_records(0, std::vector<flow_record>{make_flow(1, 100, "first"), make_flow(2, 200, "a \"q\"")}) ==
            FACTORY_OK);
    REQUIRE(t.export_records(1, std::vector<alert_record>{make_alert(7, 3, "disk, full")}) == FACTORY_OK);
}

} // namespace

TEST_CASE("one <pclass>.jsonl per pclass, written at flush, owner-only") {
    temp_dir d;
    std::string out = d / "out/sub";
    fake_transport t(descriptor(), sample_pclasses(), {{"dir", out}});
    REQUIRE(t.open() == FACTORY_OK);
    CHECK(mode_of(d / "out") == 0700);
    export_sample(t);
    CHECK(read_file(out + "/flows.jsonl").empty()); // still in the buffer
    REQUIRE(t.flush() == FACTORY_OK);
    CHECK(read_file(out + "/flows.jsonl") == flow1 + "\n" + flow2 + "\n");
    CHECK(read_file(out + "/alerts.jsonl") == alert7 + "\n");
    CHECK_FALSE(std::filesystem::exists(out + "/unused.jsonl"));
    CHECK(mode_of(out + "/flows.jsonl") == 0600);
    CHECK(mode_of(out + "/alerts.jsonl") == 0600);
}

TEST_CASE("an existing file is refused by default, naming it and the settings, and append adds, replace starts afresh") {
    temp_dir d;
    const std::string dir = d.path().string();
    {
        fake_transport t(descriptor(), sample_pclasses(), {{"dir", dir}});
        REQUIRE(t.open() == FACTORY_OK);
        export_sample(t);
        REQUIRE(t.flush() == FACTORY_OK);
    }
    const std::string flows = flow1 + "\n" + flow2 + "\n";
    {
        fake_transport t(descriptor(), sample_pclasses(), {{"dir", dir}});
        CHECK(t.open() == FACTORY_ERROR);
        CHECK(t.error == "'" + dir + "/flows.jsonl' exists already (" + std::to_string(flows.size()) +
                             " bytes): set mode=append to add to it, or mode=replace to start "
                             "it afresh, or choose another dir");
    }
    CHECK(read_file(d / "flows.jsonl") == flows);
    CHECK_FALSE(std::filesystem::exists(d / "flows.jsonl.lock")); // a refused start leaves no lock behind
    {
        fake_transport t(descriptor(), sample_pclasses(), {{"dir", dir}, {"mode", "append"}});
        REQUIRE(t.open() == FACTORY_OK);
        export_sample(t);
        REQUIRE(t.flush() == FACTORY_OK);
    }
    CHECK(read_file(d / "flows.jsonl") == flows + flows);
    CHECK(read_file(d / "alerts.jsonl") == alert7 + "\n" + alert7 + "\n");
    fake_transport t(descriptor(), sample_pclasses(), {{"dir", dir}, {"mode", "replace"}});
    REQUIRE(t.open() == FACTORY_OK);
    CHECK(read_file(d / "alerts.jsonl").empty()); // no alerts in this run: emptied anyway
    REQUIRE(t.export_records(0, std::vector<flow_record>{make_flow(1, 100, "first")}) == FACTORY_OK);
    t.close(); // close writes what is buffered
    CHECK(read_file(d / "flows.jsonl") == flow1 + "\n");
}

TEST_CASE("file mode: an existing file is refused by default, replaced or appended to on request") {
    temp_dir d;
    const std::string file = d / "all.jsonl";
    write_file(file, "old\n");
    {
        fake_transport t(descriptor(), sample_pclasses(), {{"file", file}});
        CHECK(t.open() == FACTORY_ERROR);
        CHECK_THAT(t.error, Catch::StartsWith("'" + file + "' exists already (4 bytes") &&
                                Catch::Contains("mode=append") && Catch::Contains("mode=replace") &&
                                Catch::EndsWith("or choose another file"));
    }
    {
        fake_transport t(descriptor(), sample_pclasses(), {{"file", file}, {"mode", "append"}});
        REQUIRE(t.open() == FACTORY_OK);
        REQUIRE(t.export_records(1, std::vector<alert_record>{make_alert(7, 3, "disk, full")}) == FACTORY_OK);
    }
    const std::string line = R"({"pclass":"alerts","pid":7,"level":3,"message":"disk, full"})" "\n";
    CHECK(read_file(file) == "old\n" + line);
    fake_transport t(descriptor(), sample_pclasses(), {{"file", file}, {"mode", "replace"}});
    REQUIRE(t.open() == FACTORY_OK);
    REQUIRE(t.export_records(1, std::vector<alert_record>{make_alert(7, 3, "disk, full")}) == FACTORY_OK);
    t.close();
    CHECK(read_file(file) == line);
}

TEST_CASE("an empty file is no earlier output: the default mode writes into it") {
    temp_dir d;
    write_file(d / "flows.jsonl", "");
    fake_transport t(descriptor(), sample_pclasses(), {{"dir", d.path().string()}});
    REQUIRE(t.open() == FACTORY_OK);
    export_sample(t);
    REQUIRE(t.flush() == FACTORY_OK);
    CHECK(read_file(d / "flows.jsonl") == flow1 + "\n" + flow2 + "\n");
}

TEST_CASE("file mode: one file, a pclass key first, ISO times on request") {
    temp_dir d;
    fake_transport t(descriptor(), sample_pclasses(), {{"file", d / "all.jsonl"}, {"time", "iso8601"}});
    REQUIRE(t.open() == FACTORY_OK);
    CHECK(mode_of(d / "all.jsonl") == 0600);
    export_sample(t);
    REQUIRE(t.flush() == FACTORY_OK);
    CHECK(read_file(d / "all.jsonl") ==
          R"({"pclass":"flows","pid":1,"bytes":100,"src":"10.0.0.1","at":"2023-11-14T22:13:20.000Z","note":"first"})"
          "\n"
          R"({"pclass":"flows","pid":2,"bytes":200,"src":"10.0.0.2","at":"2023-11-14T22:13:20.000Z","note":"a \"q\""})"
          "\n"
          R"({"pclass":"alerts","pid":7,"level":3,"message":"disk, full"})"
          "\n");
}

TEST_CASE("a small buffer writes at each batch, a large one waits for flush") {
    temp_dir d;
    fake_transport t(descriptor(), sample_pclasses(), {{"dir", d.path().string()}, {"buffer", "1"}});
    REQUIRE(t.open() == FACTORY_OK);
    export_sample(t);
    CHECK(read_file(d / "flows.jsonl") == flow1 + "\n" + flow2 + "\n");
}

TEST_CASE("a full disk answers retry with the reason, and nothing of the batch is kept") {
    fake_transport t(descriptor(), sample_pclasses(), {{"file", "/dev/full"}, {"buffer", "1"}});
    REQUIRE(t.open() == FACTORY_OK);
    CHECK(t.export_records(0, std::vector<flow_record>{make_flow(1, 100)}) == FACTORY_RETRY);
    CHECK_THAT(t.error, Catch::Contains("/dev/full") && Catch::Contains("No space left on device"));
    CHECK(t.export_records(0, std::vector<flow_record>{make_flow(1, 100)}) == FACTORY_RETRY);
    CHECK(t.flush() == FACTORY_OK); // the refused batches left nothing behind to write
}

TEST_CASE("a pclass file that cannot be created answers retry, other pclasses go on") {
    temp_dir d;
    std::filesystem::create_directory(d / "flows.jsonl"); // in the way of the file
    fake_transport t(descriptor(), sample_pclasses(), {{"dir", d.path().string()}});
    REQUIRE(t.open() == FACTORY_OK);
    CHECK(t.export_records(0, std::vector<flow_record>{make_flow(1, 100)}) == FACTORY_RETRY);
    CHECK_THAT(t.error, Catch::Contains("flows.jsonl") && Catch::Contains("Is a directory"));
    CHECK(t.export_records(1, std::vector<alert_record>{make_alert(7, 3, "disk, full")}) == FACTORY_OK);
    REQUIRE(t.flush() == FACTORY_OK);
    CHECK(read_file(d / "alerts.jsonl") == alert7 + "\n");
}

TEST_CASE("a read-only folder answers retry (when permissions apply to us)") {
    if (geteuid() == 0) {
        WARN("running as root, which ignores folder permissions; covered by the other retry tests");
        return;
    }
    temp_dir d;
    fake_transport t(descriptor(), sample_pclasses(), {{"dir", d.path().string()}});
    REQUIRE(t.open() == FACTORY_OK);
    std::filesystem::permissions(d.path(), std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
    CHECK(t.export_records(0, std::vector<flow_record>{make_flow(1, 100)}) == FACTORY_RETRY);
    CHECK_THAT(t.error, Catch::Contains("Permission denied"));
}

TEST_CASE("a folder or file that cannot be made is an error at open naming it") {
    temp_dir d;
    write_file(d / "plain", "x");
    fake_transport under_file(descriptor(), sample_pclasses(), {{"dir", d / "plain/out"}});
    CHECK(under_file.open() == FACTORY_ERROR);
    CHECK_THAT(under_file.error, Catch::Contains("plain/out") && Catch::Contains("Not a directory"));
    fake_transport is_file(descriptor(), sample_pclasses(), {{"dir", d / "plain"}});
    CHECK(is_file.open() == FACTORY_ERROR);
    CHECK_THAT(is_file.error, Catch::Contains("is not a folder"));
    fake_transport no_parent(descriptor(), sample_pclasses(), {{"file", d / "missing/all.jsonl"}});
    CHECK(no_parent.open() == FACTORY_ERROR);
    CHECK_THAT(no_parent.error, Catch::Contains("missing/all.jsonl") && Catch::Contains("No such file or directory"));
}

TEST_CASE("fsync=true flushes durably without complaint") {
    temp_dir d;
    fake_transport t(descriptor(), sample_pclasses(), {{"dir", d.path().string()}, {"fsync", "true"}});
    REQUIRE(t.open() == FACTORY_OK);
    export_sample(t);
    CHECK(t.flush() == FACTORY_OK);
    CHECK(read_file(d / "alerts.jsonl") == alert7 + "\n");
}

TEST_CASE("the built jsonl exporter describes itself") {
    const factory_descriptor* d = load_plugin(FACTORY_TEST_PLUGIN);
    CHECK(std::string(d->name) == "jsonl");
    CHECK(d->kind == FACTORY_KIND_EXPORTER);
    for (const char* k : {"dir", "file", "mode", "fsync", "buffer", "time"}) CHECK(find_setting(d, k) != nullptr);
    CHECK(std::string(find_setting(d, "dir")->default_value) == "factory-out");
    CHECK(std::string(find_setting(d, "mode")->default_value) == "refuse");
    CHECK(std::string(find_setting(d, "mode")->choices) == "refuse|append|replace");
}

TEST_CASE("products that cannot be written at close are reported through the host's log") {
    fake_transport t(descriptor(), sample_pclasses(), {{"file", "/dev/full"}});
    REQUIRE(t.open() == FACTORY_OK);
    CHECK(t.export_records(0, std::vector<flow_record>{make_flow(1, 100)}) == FACTORY_OK); // buffered
    CHECK(t.host.logs.empty());
    t.close();
    REQUIRE(t.host.logs.size() == 1);
    CHECK_THAT(t.host.logs[0], Catch::Contains("/dev/full") && Catch::Contains("No space left on device") &&
                                   Catch::Contains("lost"));
}

TEST_CASE("a folder removed under the run: error at flush naming the file, retry until it is back, then afresh") {
    temp_dir d;
    const std::string dir = d / "out";
    fake_transport t(descriptor(), sample_pclasses(), {{"dir", dir}});
    REQUIRE(t.open() == FACTORY_OK);
    export_sample(t);
    REQUIRE(t.flush() == FACTORY_OK);
    std::filesystem::remove_all(dir);
    REQUIRE(t.export_records(0, std::vector<flow_record>{make_flow(1, 100, "first")}) == FACTORY_OK); // buffered
    CHECK(t.flush() == FACTORY_ERROR); // what the removed files took is unreachable: no retry brings it back
    CHECK(t.error == "'" + dir + "/flows.jsonl' was deleted (or its folder was) while the run wrote it; what it took "
                                 "since the last flush is unreachable");
    CHECK(t.export_records(0, std::vector<flow_record>{make_flow(2, 200, "a \"q\"")}) == FACTORY_RETRY);
    CHECK_THAT(t.error, Catch::Contains(dir + "/flows.jsonl") && Catch::Contains("No such file or directory"));
    std::filesystem::create_directory(dir);
    REQUIRE(t.export_records(0, std::vector<flow_record>{make_flow(2, 200, "a \"q\"")}) == FACTORY_OK);
    REQUIRE(t.flush() == FACTORY_OK);
    CHECK(read_file(dir + "/flows.jsonl") == flow2 + "\n");
}

TEST_CASE("file mode: a file deleted under the run is an error at flush, and made afresh at the next batch") {
    temp_dir d;
    const std::string file = d / "all.jsonl";
    fake_transport t(descriptor(), sample_pclasses(), {{"file", file}});
    REQUIRE(t.open() == FACTORY_OK);
    REQUIRE(t.export_records(1, std::vector<alert_record>{make_alert(7, 3, "disk, full")}) == FACTORY_OK);
    REQUIRE(t.flush() == FACTORY_OK);
    std::filesystem::remove(file);
    REQUIRE(t.export_records(1, std::vector<alert_record>{make_alert(8, 3, "disk, full")}) == FACTORY_OK);
    CHECK(t.flush() == FACTORY_ERROR);
    CHECK_THAT(t.error, Catch::Contains("'" + file + "' was deleted"));
    REQUIRE(t.export_records(1, std::vector<alert_record>{make_alert(9, 3, "disk, full")}) == FACTORY_OK);
    REQUIRE(t.flush() == FACTORY_OK);
    CHECK(read_file(file) == R"({"pclass":"alerts","pid":9,"level":3,"message":"disk, full"})" "\n");
}
