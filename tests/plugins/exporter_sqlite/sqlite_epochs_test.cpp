// Checkpoints of the sqlite exporter: a job resumed from epoch k finds every table exactly as it was
// at commit k, row for row.
#include "exporter_sqlite/sqlite_exporter.hpp"
#include "query.hpp"
#include "support/fake_transport.hpp"
#include "support/sample_products.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

using namespace factory::testing;
namespace fs = std::filesystem;

namespace {

const factory_descriptor* descriptor() {
    return factory::detail::exporter_descriptor<factory::sqlite::sqlite_exporter>();
}

constexpr std::uint32_t resume = FACTORY_EXPORT_CHECKPOINTS | FACTORY_EXPORT_RESUME;

void flows(fake_transport& t, std::uint64_t first_pid, int n) {
    std::vector<flow_record> r;
    for (int i = 0; i < n; ++i) r.push_back(make_flow(first_pid + i, 100 + i, "x"));
    REQUIRE(t.export_records(0, r, first_pid) == FACTORY_OK);
}

struct tables {
    rows flows, alerts;
    bool operator==(const tables&) const = default;
};

tables snapshot(const std::string& file) {
    const bool has_alerts = !query(file, "SELECT 1 FROM sqlite_master WHERE name = 'alerts'").empty();
    return {query(file, "SELECT rowid, * FROM flows ORDER BY rowid"),
            has_alerts ? query(file, "SELECT rowid, * FROM alerts ORDER BY rowid") : rows{}};
}

} // namespace

TEST_CASE("sqlite: resuming from epoch 1 or 2 returns every table to its rows at that commit") {
    temp_dir d;
    const std::string db = d / "f.db";
    tables at1, at2;
    {
        fake_transport t(descriptor(), sample_pclasses(), {{"file", db}});
        REQUIRE(t.open(FACTORY_EXPORT_CHECKPOINTS) == FACTORY_OK);
        flows(t, 1, 3);
        REQUIRE(t.commit(1) == FACTORY_OK);
        at1 = snapshot(db);
        flows(t, 10, 2);
        REQUIRE(t.export_records(1, std::vector<alert_record>{make_alert(7, 3, "after 1")}) == FACTORY_OK);
        REQUIRE(t.commit(2) == FACTORY_OK);
        at2 = snapshot(db);
        flows(t, 20, 4); // never committed as an epoch
        REQUIRE(t.export_records(1, std::vector<alert_record>{make_alert(8, 1, "after 2")}) == FACTORY_OK);
    }
    REQUIRE(at1.flows.size() == 3);
    REQUIRE(at1.alerts.empty());
    REQUIRE(at2.flows.size() == 5);
    REQUIRE(at2.alerts.size() == 1);
    REQUIRE(snapshot(db).flows.size() == 9);
    const std::string copy = d / "g.db";
    fs::copy_file(db, copy);
    for (const char* suffix : {"-wal", "-shm"})
        if (fs::exists(db + suffix)) fs::copy_file(db + suffix, copy + suffix);

    {
        fake_transport t(descriptor(), sample_pclasses(), {{"file", db}}); // mode=refuse, yet accepted
        REQUIRE(t.open(resume, 2) == FACTORY_OK);
        CHECK(snapshot(db) == at2);
    }
    {
        fake_transport t(descriptor(), sample_pclasses(), {{"file", copy}});
        REQUIRE(t.open(resume, 1) == FACTORY_OK);
        CHECK(snapshot(copy) == at1);
        // The replay goes on: the rows it writes follow epoch 1's, and its commit is recorded.
        flows(t, 10, 2);
        REQUIRE(t.commit(2) == FACTORY_OK);
        CHECK(snapshot(copy).flows == at2.flows);
    }
    CHECK(query(copy, "SELECT DISTINCT epoch FROM factory_epochs ORDER BY epoch") == rows{{"i:0"}, {"i:1"}, {"i:2"}});
    CHECK(query(copy, "SELECT tbl, max_rowid FROM factory_epochs WHERE epoch = 1 ORDER BY tbl") ==
          rows{{"t:alerts", "i:0"}, {"t:flows", "i:3"}, {"t:unused", "i:0"}});
}

TEST_CASE("sqlite: epochs kept are the last 8, and an epoch the database lacks is refused") {
    temp_dir d;
    const std::string db = d / "f.db";
    {
        fake_transport t(descriptor(), sample_pclasses(), {{"file", db}});
        REQUIRE(t.open(FACTORY_EXPORT_CHECKPOINTS) == FACTORY_OK);
        for (int k = 1; k <= 10; ++k) {
            flows(t, static_cast<std::uint64_t>(k), 1);
            REQUIRE(t.commit(static_cast<std::uint64_t>(k)) == FACTORY_OK);
        }
    }
    CHECK(query(db, "SELECT DISTINCT epoch FROM factory_epochs ORDER BY epoch").size() == 8);
    CHECK(query(db, "SELECT min(epoch) FROM factory_epochs") == rows{{"i:3"}});
    fake_transport t(descriptor(), sample_pclasses(), {{"file", db}});
    CHECK(t.open(resume, 1) == FACTORY_ERROR);
    CHECK(t.error == "sqlite database '" + db + "' has no epoch 1 in factory_epochs (it holds 3, 4, 5, 6, 7, 8, 9, "
                     "10): it cannot be returned to that checkpoint; resume from one it holds, or start the job afresh");
    fake_transport fresh(descriptor(), sample_pclasses(), {{"file", db}});
    CHECK(fresh.open(FACTORY_EXPORT_CHECKPOINTS) == FACTORY_ERROR); // a new job with mode=refuse
    CHECK_THAT(fresh.error, Catch::Contains("exists already"));
}
