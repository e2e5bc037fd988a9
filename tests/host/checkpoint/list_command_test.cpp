// list_command.hpp, and `factory-host checkpoints DIR` run for real: one row per checkpoint, the
// newest usable one marked, incomplete ones with their problem, JSON on request, exit code 2 for a
// folder that is not a checkpoint folder.
#include "checkpoint/list_command.hpp"

#include "checkpoint_fixture.hpp"
#include "support/host_run.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <sstream>

namespace cp = factory::checkpoint;
namespace fs = std::filesystem;
using factory::testing::temp_dir;
using factory::testing::write_checkpoint;

namespace {

// Two complete checkpoints (1: 2/3 workers, 2: 4/0) and an unfinished one (3).
fs::path sample_folder(const temp_dir& tmp) {
    const fs::path dir = tmp.path() / "ck";
    auto s = cp::store::open(dir);
    write_checkpoint(s, 1, {2, 3}, 5, 100);
    write_checkpoint(s, 2, {4, 0}, 5, 250);
    factory::testing::write_file((s.dir_for(3) / "workshop-0.snap").string(), "partial");
    return dir;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

struct listed {
    int code;
    std::string out, err;
};

listed list(const fs::path& dir, bool json) {
    std::ostringstream out, err;
    const int code = cp::list_command(dir, json, out, err);
    return {code, out.str(), err.str()};
}

void check_table(const std::string& out) {
    const auto lines = lines_of(out);
    REQUIRE(lines.size() == 4);
    CHECK_THAT(lines[0], Catch::Matches("EPOCH +TIME \\(UTC\\) +PURCHASED +POSITION +WORKERS +SIZE +STATE"));
    CHECK_THAT(lines[1], Catch::Matches("1 +2025-11-24 16:01:00 +100 +000000000000\\.\\.\\.000ff +2/3 +[0-9.]+ KiB +complete"));
    CHECK_THAT(lines[2],
               Catch::Matches("2 +2025-11-24 16:02:00 +250 +000000000000\\.\\.\\.000ff +4/0 +[0-9.]+ KiB +complete "
                              "\\(newest usable\\)"));
    CHECK_THAT(lines[3], Catch::Matches("3 +- +- +- +- +7 B +incomplete: no MANIFEST \\(the checkpoint did not finish\\)"));
}

} // namespace

TEST_CASE("checkpoints lists each checkpoint and marks the newest usable one") {
    temp_dir tmp;
    const auto r = list(sample_folder(tmp), false);
    CHECK(r.code == 0);
    CHECK(r.err.empty());
    check_table(r.out);
}

TEST_CASE("checkpoints says why a newer complete checkpoint is not the one a run resumes from") {
    temp_dir tmp;
    const fs::path dir = sample_folder(tmp);
    fs::remove(dir / "epoch-000000000002" / "workshop-2.snap");
    const auto lines = lines_of(list(dir, false).out);
    REQUIRE(lines.size() == 4);
    CHECK_THAT(lines[1], Catch::EndsWith("complete (newest usable)"));
    CHECK_THAT(lines[2], Catch::EndsWith("complete, unusable: workshop-2.snap is missing"));
}

TEST_CASE("checkpoints --json gives the same list as JSON") {
    temp_dir tmp;
    const auto r = list(sample_folder(tmp), true);
    CHECK(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["newest_usable"] == 2);
    REQUIRE(j["checkpoints"].size() == 3);
    CHECK(j["checkpoints"][0]["epoch"] == 1);
    CHECK(j["checkpoints"][0]["manifest"]["purchased"] == 100);
    CHECK(j["checkpoints"][1]["newest_usable"] == true);
    CHECK(j["checkpoints"][1]["manifest"]["files"].size() == 3);
    CHECK(j["checkpoints"][2]["complete"] == false);
    CHECK(j["checkpoints"][2]["manifest"].is_null());
    CHECK(j["checkpoints"][2]["problem"] == "no MANIFEST (the checkpoint did not finish)");
    CHECK(j["skipped"] == nlohmann::json::array({"epoch 3: incomplete: no MANIFEST (the checkpoint did not finish)"}));
}

TEST_CASE("checkpoints refuses a folder that does not exist or is not a checkpoint folder") {
    temp_dir tmp;
    auto r = list(tmp.path() / "absent", false);
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(r.err == "factory-host checkpoints: " + (tmp.path() / "absent").string() +
                       " does not exist; give the checkpoint folder of a job\n");
    r = list(tmp.path(), false);
    CHECK(r.code == 2);
    CHECK(r.err == "factory-host checkpoints: " + tmp.path().string() +
                       " is not a checkpoint folder (it has neither a lock file nor epoch-* folders)\n");
    cp::store::open(tmp.path() / "fresh");
    r = list(tmp.path() / "fresh", false);
    CHECK(r.code == 0);
    CHECK(r.out == "no checkpoints in " + (tmp.path() / "fresh").string() + "\n");
}

TEST_CASE("factory-host checkpoints DIR lists a folder the library made, while a run holds it") {
    temp_dir tmp;
    const fs::path dir = sample_folder(tmp);
    const auto held = cp::store::open(dir); // listing takes no lock
    const auto summary = (tmp.path() / "summary.json").string();
    auto r = factory::testing::run_host({"--summary-json", summary, "checkpoints", dir.string()});
    CHECK(r.exit_code == 0);
    CHECK(r.err.empty());
    check_table(r.out);

    r = factory::testing::run_host({"--summary-json", summary, "checkpoints", "--json", dir.string()});
    CHECK(r.exit_code == 0);
    CHECK(nlohmann::json::parse(r.out)["newest_usable"] == 2);

    r = factory::testing::run_host({"--summary-json", summary, "checkpoints", (tmp.path() / "nope").string()});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("nope does not exist"));
}
