// An exporter that fails, through factory-host: retried with a doubling backoff, then its products
// go to the dead-letter output on disk, and the exit code says the run was not clean. An exporter
// whose output cannot exist is refused before the run.
#include "support/fault_files.hpp"
#include "support/host_run.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <string>

using namespace factory::testing;

namespace {

// pids 1 and 3 are TCP, 2 is UDP: two pclasses, so two batches per delivery round.
const char* const three_products = "{\"pid\":1,\"bytes\":10,\"protocol\":\"tcp\"}\n"
                                   "{\"pid\":2,\"bytes\":5,\"protocol\":\"udp\"}\n"
                                   "{\"pid\":3,\"bytes\":7,\"protocol\":\"tcp\"}\n";

} // namespace

TEST_CASE("an exporter on a full disk: retried with backoff, then dead-lettered, exit code 1", "[faults]") {
    auto dir = fresh_dir("devfull");
    write_file(dir / "in.jsonl", three_products);
    // /dev/full answers every write with ENOSPC. buffer=0: each batch is written when exported, so
    // the failure is the batch's own (a buffered one fails only at flush).
    auto r = run_host({"--source", "jsonl:file=in.jsonl", "--blueprint", "widget", "--exporter",
                       "jsonl:file=/dev/full,buffer=0", "--workshops", "1", "--dead-letter", "dl", "--export-retries",
                       "3", "--retry-backoff", "10ms"},
                      {.cwd = dir});
    INFO(r.err);
    CHECK(r.exit_code == 1);
    REQUIRE(r.summary.is_object());
    CHECK(r.summary.at("balanced") == true);
    CHECK(r.summary.at("purchased") == 3);
    CHECK(r.summary.at("shipped") == 3);
    CHECK(r.summary.at("exported") == 0);
    CHECK(r.summary.at("dead_lettered").at("products") == 3);
    CHECK(r.summary.at("dead_lettered").at("reasons").at("export_failed") == 3);
    const auto& ex = r.summary.at("exporters").at(0);
    CHECK(ex.at("name") == "jsonl");
    CHECK(ex.at("exported") == 0);
    CHECK(ex.at("dead_lettered") == 3);
    // Every failed batch was tried once and retried 3 times; at least one batch per pclass.
    const auto batches = ex.at("batches").get<std::uint64_t>();
    CHECK(batches % 4 == 0);
    CHECK(batches >= 8);
    CHECK(ex.at("retries").get<std::uint64_t>() == batches / 4 * 3);
    // The backoff doubles from --retry-backoff.
    CHECK(r.err.find("retry 1 of 3 in 10 ms") != std::string::npos);
    CHECK(r.err.find("retry 2 of 3 in 20 ms") != std::string::npos);
    CHECK(r.err.find("retry 3 of 3 in 40 ms") != std::string::npos);
    CHECK(r.err.find("No space left on device") != std::string::npos);

    auto dead = dead_letters(dir / "dl", "transportation");
    REQUIRE(dead.size() == 3);
    std::map<std::uint64_t, nlohmann::json> by_pid;
    for (const auto& d : dead) {
        INFO(d.dump());
        CHECK(d.at("reason") ==
              "exporter jsonl: still failing after 3 retries: writing '/dev/full' failed: No space left on device");
        CHECK(d.at("exporter") == "jsonl");
        by_pid[d.at("pid").get<std::uint64_t>()] = d;
    }
    REQUIRE(by_pid.size() == 3);
    CHECK(by_pid[1].at("pclass") == "tcp");
    CHECK(by_pid[1].at("product").at("bytes") == 10);
    CHECK(by_pid[2].at("pclass") == "udp");
    CHECK(by_pid[2].at("product").at("bytes") == 5);
    CHECK(by_pid[3].at("pclass") == "tcp");
    CHECK(by_pid[3].at("product").at("bytes") == 7);
    std::filesystem::remove_all(dir);
}

TEST_CASE("an exporter whose folder cannot be created is refused at start with one line, exit 2", "[faults]") {
    auto dir = fresh_dir("nofolder");
    write_file(dir / "in.jsonl", three_products);
    write_file(dir / "a_file", "not a folder");
    auto r = run_host({"--source", "jsonl:file=in.jsonl", "--blueprint", "widget", "--exporter",
                       "jsonl:dir=a_file/out", "--workshops", "1", "--dead-letter", "dl"},
                      {.cwd = dir});
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(line_count(r.err) == 1);
    CHECK(r.err.find("jsonl: setting 'dir': 'a_file/out': cannot create its folder 'a_file' (Not a directory); "
                     "choose another path") != std::string::npos);
    CHECK(r.summary.is_null());
    CHECK_FALSE(std::filesystem::exists(dir / "dl"));
    std::filesystem::remove_all(dir);
}

// With the default buffer, the jsonl exporter takes a batch into memory and fails only at flush:
// products count as exported only once flushed, so these go to the dead-letter output.
TEST_CASE("a buffered exporter that fails at flush loses no product", "[faults]") {
    auto dir = fresh_dir("devfull-buffered");
    write_file(dir / "in.jsonl", three_products);
    auto r = run_host({"--source", "jsonl:file=in.jsonl", "--blueprint", "widget", "--exporter",
                       "jsonl:file=/dev/full", "--workshops", "1", "--dead-letter", "dl", "--export-retries", "1",
                       "--retry-backoff", "10ms"},
                      {.cwd = dir});
    INFO(r.err);
    CHECK(r.exit_code == 1);
    REQUIRE(r.summary.is_object());
    CHECK(r.summary.at("exported") == 0);
    CHECK(dead_letters(dir / "dl", "transportation").size() == 3);
    std::filesystem::remove_all(dir);
}
