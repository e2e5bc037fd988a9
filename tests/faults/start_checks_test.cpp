// Settings that name files are checked before the run starts: a missing or wrong input file is
// refused with one line naming the setting and the file, exit code 2, and nothing is started.
#include "support/fault_files.hpp"
#include "support/host_run.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace factory::testing;

TEST_CASE("a missing input file is refused before the run, naming the setting and the file", "[faults]") {
    auto dir = fresh_dir("noinput");
    auto r = run_host({"--source", "jsonl:file=missing.jsonl", "--blueprint", "widget", "--exporter", "jsonl:dir=out",
                       "--workshops", "1", "--dead-letter", "dl"},
                      {.cwd = dir});
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(line_count(r.err) == 1);
    // The message names the file as given and the full path it tried (relative to the working folder).
    CHECK(r.err.find("jsonl: setting 'file': file 'missing.jsonl' does not exist (looked for " +
                     (dir / "missing.jsonl").string() + "); check the path") != std::string::npos);
    CHECK(r.summary.is_null());
    CHECK_FALSE(std::filesystem::exists(dir / "dl"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("a missing capture file is refused before the run, named by the full path tried", "[faults]") {
    auto dir = fresh_dir("nocapture");
    auto r = run_host({"--source", "pcap:file=missing.pcap", "--blueprint", "flowmeter", "--exporter", "jsonl:dir=out",
                       "--workshops", "1", "--dead-letter", "dl"},
                      {.cwd = dir});
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(line_count(r.err) == 1);
    CHECK(r.err.find("pcap: setting 'file': file 'missing.pcap' does not exist (looked for " +
                     (dir / "missing.pcap").string() + "); check the path") != std::string::npos);
    CHECK(r.summary.is_null());
    std::filesystem::remove_all(dir);
}

TEST_CASE("an input file that is a folder is refused before the run", "[faults]") {
    auto dir = fresh_dir("dirinput");
    std::filesystem::create_directories(dir / "a_folder");
    auto r = run_host({"--source", "jsonl:file=a_folder", "--blueprint", "widget", "--exporter", "null",
                       "--workshops", "1"},
                      {.cwd = dir});
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(line_count(r.err) == 1);
    CHECK(r.err.find("jsonl: setting 'file': file 'a_folder' is a folder; give a file") != std::string::npos);
    CHECK(r.summary.is_null());
    std::filesystem::remove_all(dir);
}

TEST_CASE("a missing --config file is refused naming it", "[faults]") {
    auto dir = fresh_dir("noconfig");
    auto r = run_host({"--config", "nowhere.toml"}, {.cwd = dir});
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("nowhere.toml does not exist") != std::string::npos);
    CHECK(r.summary.is_null());
    std::filesystem::remove_all(dir);
}

// The host's own file options are checked before the run, like the plugins' settings: a run must
// not work for an hour and then fail to keep its dead letters or write its accounting.
TEST_CASE("a --dead-letter that cannot be a folder is refused before the run", "[faults]") {
    auto dir = fresh_dir("dlfile");
    write_file(dir / "in.jsonl", "not json\n");
    write_file(dir / "a_file", "");
    auto r = run_host({"--source", "jsonl:file=in.jsonl", "--exporter", "null", "--workshops", "1", "--dead-letter",
                       "a_file"},
                      {.cwd = dir});
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--dead-letter") != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a --summary-json in a missing folder is refused before the run", "[faults]") {
    auto dir = fresh_dir("summaryfolder");
    write_file(dir / "in.jsonl", "{\"pid\":1,\"bytes\":1}\n");
    auto r = run_host({"--source", "jsonl:file=in.jsonl", "--exporter", "null", "--workshops", "1", "--summary-json",
                       "no/such/folder/summary.json"},
                      {.cwd = dir});
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--summary-json") != std::string::npos);
    std::filesystem::remove_all(dir);
}
