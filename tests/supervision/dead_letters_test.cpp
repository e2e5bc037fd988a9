// Dead letters are a promise: each one is on disk with its reason. One that cannot be written (a full
// disk) is lost, and said to be; a run that dead-letters is told even under --quiet; a limit makes
// it fail.
#include "supervision_support.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>

#include <sys/mount.h>
#include <unistd.h>

using namespace factory::testing;
using namespace std::chrono_literals;

namespace {

// A small tmpfs at `dir`, unmounted when the test ends; false when this machine will not mount one
// (not root, or no mount namespace privileges).
struct small_disk {
    std::filesystem::path dir;
    bool mounted = false;
    small_disk(std::filesystem::path d, const char* size) : dir(std::move(d)) {
        std::filesystem::create_directories(dir);
        mounted = ::geteuid() == 0 && ::mount("tmpfs", dir.c_str(), "tmpfs", 0, size) == 0;
    }
    ~small_disk() {
        if (mounted) ::umount2(dir.c_str(), MNT_DETACH);
    }
};

} // namespace

TEST_CASE("dead letters that cannot be written on a full disk are counted lost, and no line is torn",
          "[supervision]") {
    auto dir = fresh_dir("fulldl");
    small_disk disk(dir / "dead", "size=256k");
    if (!disk.mounted) {
        WARN("needs root to mount a small tmpfs: skipped");
        return;
    }
    write_input(dir / "in.jsonl", 40000, 0, 2);
    auto r = run_in(dir, {"--source", "jsonl:file=in.jsonl", "--blueprint", faulty + ":fault=error", "--exporter",
                          "null", "--workshops", "2", "--contract", "1h", "--dead-letter", "dead"});
    INFO(r.err);
    require_ended(r, 1);
    const auto& s = r.summary;
    CHECK(s.at("clean") == false);
    CHECK(s.at("lost_anything") == true);
    CHECK(materials_add_up(s));
    const std::uint64_t written = u(s.at("dead_lettered"), "materials");
    const std::uint64_t unwritten = u(s.at("dead_letters_not_written"), "materials");
    CHECK(written + unwritten == 20000);
    CHECK(unwritten > 0);
    // Every line on disk is whole (all_lines parses each), and there are exactly as many as counted.
    CHECK(all_lines(dir / "dead").size() == written);
    CHECK(contains(r.err, "cannot write a dead letter"));
    CHECK(contains(r.err, "dead letters not written " + std::to_string(unwritten)));
    CHECK(contains(r.err, "balanced, with losses"));
    std::filesystem::remove_all(dir / "in.jsonl");
}

TEST_CASE("products an exporter refuses on a full disk: the dead letters not written are counted per exporter",
          "[supervision]") {
    auto dir = fresh_dir("fulldlp");
    small_disk disk(dir / "dead", "size=64k");
    if (!disk.mounted) {
        WARN("needs root to mount a small tmpfs: skipped");
        return;
    }
    auto r = run_in(dir, {"--source", "synthetic:keys=5000,count=200000", "--blueprint", "widget", "--exporter",
                          hostile_exporter + ":fault=error", "--contract", "1h", "--dead-letter", "dead"});
    INFO(r.err);
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.exit_code == 1);
    const auto& s = r.summary;
    const auto& e = s.at("exporters").at(0);
    CHECK(s.at("balanced") == true);
    CHECK(u(e, "exported") == 0);
    CHECK(u(e, "dead_letters_not_written") > 0);
    CHECK(u(s, "shipped") == u(e, "dead_lettered") + u(e, "dead_letters_not_written"));
    CHECK(all_lines(dir / "dead").size() == u(e, "dead_lettered"));
}

TEST_CASE("dead letters are a warning even under --quiet, with their count by reason and their folder",
          "[supervision]") {
    auto dir = fresh_dir("quietdl");
    write_input(dir / "in.jsonl", 1000, 0, 1);
    auto r = run_in(dir, {"--source", "jsonl:file=in.jsonl", "--blueprint", faulty + ":fault=error", "--exporter",
                          "null", "--quiet", "--dead-letter", "dead"});
    INFO(r.err);
    CHECK(r.exit_code == 0); // every material is accounted for; no limit was set
    CHECK(contains(r.err, "1000 dead letters (1000 refused by the blueprint) in dead/"));
    CHECK(r.summary.at("ended_by") == "end of input");
    std::filesystem::remove_all(dir);
}

TEST_CASE("past --max-dead-letters the run fails with its own exit code", "[supervision]") {
    auto dir = fresh_dir("maxdl");
    write_input(dir / "in.jsonl", 1000, 0, 4); // 250 of 1000 are refused
    auto run = [&](const std::string& limit) {
        std::filesystem::remove_all(dir / "dead");
        return run_in(dir, {"--source", "jsonl:file=in.jsonl", "--blueprint", faulty + ":fault=error", "--exporter",
                            "null", "--dead-letter", "dead", "--max-dead-letters", limit});
    };
    auto over = run("100");
    INFO(over.err);
    CHECK(over.exit_code == 4);
    CHECK(over.summary.at("exit_code") == 4);
    CHECK(contains(over.err, "more dead letters than --max-dead-letters 100 allows"));
    CHECK(run("20%").exit_code == 4);
    CHECK(run("30%").exit_code == 0);
    CHECK(run("250").exit_code == 0);
    auto bad = run("lots");
    CHECK(bad.exit_code == 2);
    CHECK(contains(bad.err, "--max-dead-letters"));
    std::filesystem::remove_all(dir);
}
