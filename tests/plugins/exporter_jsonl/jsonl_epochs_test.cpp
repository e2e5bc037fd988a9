// Checkpoints of the jsonl exporter (and the epoch log of plugins/common/file_output it shares with
// csv): a job resumed from epoch k finds its files exactly as they were at commit k, to the byte.
#include "common/file_output/epoch_log.hpp"
#include "exporter_jsonl/jsonl_exporter.hpp"
#include "support/fake_transport.hpp"
#include "support/sample_products.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <string>

using namespace factory::testing;
namespace fs = std::filesystem;

namespace {

const factory_descriptor* descriptor() {
    return factory::detail::exporter_descriptor<factory::output::jsonl_exporter>();
}

constexpr std::uint32_t checkpoints = FACTORY_EXPORT_CHECKPOINTS;
constexpr std::uint32_t resume = FACTORY_EXPORT_CHECKPOINTS | FACTORY_EXPORT_RESUME;

std::map<std::string, std::string> contents(const fs::path& dir) {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".jsonl") out[e.path().filename().string()] = read_file(e.path().string());
    return out;
}

void flows(fake_transport& t, std::uint64_t first_pid, int n) {
    std::vector<flow_record> r;
    for (int i = 0; i < n; ++i) r.push_back(make_flow(first_pid + i, 100 + i, "x"));
    REQUIRE(t.export_records(0, r, first_pid) == FACTORY_OK);
}

} // namespace

TEST_CASE("jsonl: resuming from epoch 1 or 2 returns every file to what it held at that commit") {
    temp_dir d;
    const fs::path dir = d / "out";
    std::map<std::string, std::string> at1, at2;
    {
        fake_transport t(descriptor(), sample_pclasses(), {{"dir", dir.string()}});
        REQUIRE(t.open(checkpoints) == FACTORY_OK);
        flows(t, 1, 3);
        REQUIRE(t.flush() == FACTORY_OK);
        REQUIRE(t.commit(1) == FACTORY_OK);
        at1 = contents(dir);
        flows(t, 10, 2);
        REQUIRE(t.export_records(1, std::vector<alert_record>{make_alert(7, 3, "after 1")}) == FACTORY_OK);
        REQUIRE(t.flush() == FACTORY_OK);
        REQUIRE(t.commit(2) == FACTORY_OK);
        at2 = contents(dir);
        flows(t, 20, 4); // never committed
        REQUIRE(t.export_records(1, std::vector<alert_record>{make_alert(8, 1, "after 2")}) == FACTORY_OK);
        REQUIRE(t.flush() == FACTORY_OK);
    }
    REQUIRE(at1.size() == 1); // alerts.jsonl did not exist at epoch 1
    REQUIRE(at2.size() == 2);
    REQUIRE(contents(dir) != at2);
    const fs::path copy = d / "copy";
    fs::copy(dir, copy, fs::copy_options::recursive);

    {
        fake_transport t(descriptor(), sample_pclasses(), {{"dir", dir.string()}}); // mode=refuse, yet accepted
        REQUIRE(t.open(resume, 2) == FACTORY_OK);
        CHECK(contents(dir) == at2);
    }
    {
        fake_transport t(descriptor(), sample_pclasses(), {{"dir", copy.string()}});
        REQUIRE(t.open(resume, 1) == FACTORY_OK);
        auto now = contents(copy);
        CHECK(now.at("flows.jsonl") == at1.at("flows.jsonl"));
        CHECK(now.at("alerts.jsonl").empty()); // created after epoch 1: cut back to nothing
        // The resumed job goes on, and its next commit is kept.
        flows(t, 30, 1);
        REQUIRE(t.flush() == FACTORY_OK);
        REQUIRE(t.commit(2) == FACTORY_OK);
    }
    const std::string sidecar = read_file((copy / ".factory-epochs-jsonl").string());
    CHECK(sidecar.find("epoch 0 0 0 0\nepoch 1 ") != std::string::npos);
    CHECK(sidecar.find("epoch 2 ") != std::string::npos);
}

TEST_CASE("jsonl: a fresh job applies the mode, and a resume from an epoch the log lacks is refused") {
    temp_dir d;
    const std::string dir = (d / "out");
    {
        fake_transport t(descriptor(), sample_pclasses(), {{"dir", dir}});
        REQUIRE(t.open(checkpoints) == FACTORY_OK);
        flows(t, 1, 2);
        REQUIRE(t.flush() == FACTORY_OK);
        REQUIRE(t.commit(1) == FACTORY_OK);
    }
    {
        fake_transport t(descriptor(), sample_pclasses(), {{"dir", dir}});
        CHECK(t.open(checkpoints) == FACTORY_ERROR); // a new job, mode=refuse: the files are not its own
        CHECK_THAT(t.error, Catch::Contains("exists already"));
    }
    fake_transport t(descriptor(), sample_pclasses(), {{"dir", dir}});
    CHECK(t.open(resume, 5) == FACTORY_ERROR);
    CHECK(t.error == "the epochs file '" + dir + "/.factory-epochs-jsonl' has no epoch 5 (it holds 0, 1): the outputs "
                     "cannot be returned to that checkpoint; resume from one it holds, or start the job afresh");
    fake_transport appended(descriptor(), sample_pclasses(), {{"dir", dir}, {"mode", "append"}});
    REQUIRE(appended.open(checkpoints) == FACTORY_OK); // a new job that appends: epoch 0 is what is there
    const std::string sidecar = read_file(dir + "/.factory-epochs-jsonl");
    CHECK(sidecar.find("epoch 0 ") != std::string::npos);
    CHECK(sidecar.find("epoch 1 ") == std::string::npos);
}

TEST_CASE("jsonl file mode: one file, its epochs beside it") {
    temp_dir d;
    const std::string file = (d / "all.jsonl");
    std::string at1;
    {
        fake_transport t(descriptor(), sample_pclasses(), {{"file", file}});
        REQUIRE(t.open(checkpoints) == FACTORY_OK);
        flows(t, 1, 2);
        REQUIRE(t.flush() == FACTORY_OK);
        REQUIRE(t.commit(1) == FACTORY_OK);
        at1 = read_file(file);
        flows(t, 5, 2);
        REQUIRE(t.flush() == FACTORY_OK);
    }
    REQUIRE(read_file(file).size() > at1.size());
    fake_transport t(descriptor(), sample_pclasses(), {{"file", file}});
    REQUIRE(t.open(resume, 1) == FACTORY_OK);
    CHECK(read_file(file) == at1);
    CHECK(fs::exists(file + ".factory-epochs"));
}

TEST_CASE("epoch log: keeps the last 8 epochs, drops unconfirmed later ones, refuses lost bytes") {
    temp_dir d;
    const std::string a = (d / "a.txt");
    factory::output::epoch_log log((d / ".epochs"), {a});
    write_file(a, "");
    log.start();
    for (int k = 1; k <= 10; ++k) {
        write_file(a, std::string(static_cast<std::size_t>(k), 'x'));
        log.commit(static_cast<std::uint64_t>(k));
    }
    const std::string text = read_file((d / ".epochs"));
    CHECK(text == "factory-epochs 1\nfile a.txt\nepoch 3 3\nepoch 4 4\nepoch 5 5\nepoch 6 6\nepoch 7 7\nepoch 8 8\n"
                  "epoch 9 9\nepoch 10 10\n");
    log.commit(6); // epoch 6 again (a crash left 7..10 unconfirmed): they are forgotten
    CHECK(read_file((d / ".epochs")) ==
          "factory-epochs 1\nfile a.txt\nepoch 3 3\nepoch 4 4\nepoch 5 5\nepoch 6 10\n");
    write_file(a, "xx");
    CHECK_THROWS_WITH(log.resume(4), "'" + a + "' holds 2 bytes, fewer than the 4 it held at epoch 4: bytes the "
                                     "checkpoint counted on were lost; restore the file, or start the job afresh");
    factory::output::epoch_log other((d / ".epochs"), {a, (d / "b.txt")});
    CHECK_THROWS_WITH(other.resume(3), Catch::Contains("records the outputs a.txt, not a.txt, b.txt"));
}

TEST_CASE("epoch log: a missing or damaged sidecar is refused with what to do") {
    temp_dir d;
    const std::string a = (d / "a.txt");
    const std::string sidecar = (d / ".epochs");
    factory::output::epoch_log log(sidecar, {a});
    CHECK_THROWS_WITH(log.resume(1), Catch::StartsWith("cannot read the epochs file '" + sidecar + "'") &&
                                         Catch::EndsWith("restore the file, or start the job afresh (a new "
                                                         "checkpoint folder)"));
    write_file(sidecar, "factory-epochs 1\nfile a.txt\nepoch 1 5 6\n");
    CHECK_THROWS_WITH(log.resume(1), "the epochs file '" + sidecar + "' is damaged (epoch 1 does not give one "
                                     "length per file); restore it, or start the job afresh (a new checkpoint "
                                     "folder)");
    write_file(sidecar, "something else\n");
    CHECK_THROWS_WITH(log.resume(1), Catch::Contains("is damaged (no 'factory-epochs 1' line first)"));
}
