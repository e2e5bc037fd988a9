// The sqlite exporter across runs and failures: the mode setting and the lock on an existing
// file, each run's committed row count kept with the rows (factory_runs, durable_count), and a
// batch that fails for a while (a full disk, a dropped table) passing once the cause is gone.
#include "exporter_sqlite/sqlite_exporter.hpp"
#include "query.hpp"
#include "support/fake_transport.hpp"
#include "support/sample_products.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

using namespace factory::testing;

namespace {

const factory_descriptor* descriptor() {
    return factory::detail::exporter_descriptor<factory::sqlite::sqlite_exporter>();
}

// Sets FACTORY_RUN for the scope, as factory-host does for its children.
class run_named {
public:
    explicit run_named(const char* run) { ::setenv(FACTORY_RUN_ENV, run, 1); }
    ~run_named() { ::unsetenv(FACTORY_RUN_ENV); }
};

void export_sample(fake_transport& t) {
    REQUIRE(t.export_records(0, std::vector<flow_record>{make_flow(1, 100, "first"), make_flow(2, 200, "second")}) ==
            FACTORY_OK);
    REQUIRE(t.export_records(1, std::vector<alert_record>{make_alert(7, 3, "disk, full")}) == FACTORY_OK);
}

// A tmpfs of `bytes` mounted on a fresh folder (root with CAP_SYS_ADMIN only), unmounted at scope
// exit: a disk that really fills up.
class small_disk {
public:
    explicit small_disk(std::size_t bytes) {
        const std::string options = "size=" + std::to_string(bytes) + ",mode=0700";
        if (::mount("tmpfs", dir_.path().c_str(), "tmpfs", 0, options.c_str()) == 0) mounted_ = true;
        else why_ = std::strerror(errno);
    }
    ~small_disk() {
        if (mounted_) ::umount2(dir_.path().c_str(), MNT_DETACH);
    }
    bool mounted() const noexcept { return mounted_; }
    const std::string& why() const noexcept { return why_; }
    std::string operator/(const std::string& name) const { return dir_ / name; }

    // Writes `file` until the disk is full; returns the bytes written.
    std::size_t fill(const std::string& file) const {
        int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        REQUIRE(fd >= 0);
        char block[4096] = {};
        std::size_t total = 0;
        for (;;) {
            ssize_t n = ::write(fd, block, sizeof block);
            if (n <= 0) break;
            total += static_cast<std::size_t>(n);
        }
        ::close(fd);
        return total;
    }

private:
    temp_dir dir_;
    bool mounted_ = false;
    std::string why_;
};

} // namespace

TEST_CASE("an existing database is refused by default, naming it and the settings, and replace starts afresh") {
    temp_dir d;
    const std::string file = d / "out.db";
    {
        fake_transport t(descriptor(), sample_pclasses(), {{"file", file}});
        REQUIRE(t.open() == FACTORY_OK);
        export_sample(t);
    }
    {
        fake_transport t(descriptor(), sample_pclasses(), {{"file", file}});
        CHECK(t.open() == FACTORY_ERROR);
        CHECK_THAT(t.error, Catch::StartsWith("'" + file + "' exists already (") &&
                                Catch::EndsWith(" bytes): set mode=append to add to it, or "
                                                "mode=replace to start it afresh, or choose another file"));
    }
    CHECK(query(file, "SELECT count(*) FROM flows") == rows{{"i:2"}});
    CHECK_FALSE(std::filesystem::exists(file + ".lock"));
    {
        fake_transport t(descriptor(), sample_pclasses(), {{"file", file}, {"mode", "replace"}});
        REQUIRE(t.open() == FACTORY_OK);
        REQUIRE(t.export_records(1, std::vector<alert_record>{make_alert(8, 1, "afresh")}) == FACTORY_OK);
    }
    CHECK(query(file, "SELECT name FROM sqlite_master WHERE type = 'table'") == rows{{"t:alerts"}});
    CHECK(query(file, "SELECT * FROM alerts") == rows{{"i:8", "i:1", "t:afresh"}});
    CHECK(mode_of(file) == 0600);
}

TEST_CASE("a second writer of the same database is refused at open while the first holds it") {
    temp_dir d;
    const std::string file = d / "out.db";
    fake_transport first(descriptor(), sample_pclasses(), {{"file", file}});
    REQUIRE(first.open() == FACTORY_OK);
    fake_transport second(descriptor(), sample_pclasses(), {{"file", file}, {"mode", "append"}});
    CHECK(second.open() == FACTORY_ERROR);
    CHECK(second.error == "'" + file + "' is being written by another exporter of this run: wait until it ends, or "
                              "write somewhere else (its lock: '" + file + ".lock')");
    export_sample(first);
    first.close();
    REQUIRE(second.open() == FACTORY_OK);
}

TEST_CASE("each batch counts its rows in factory_runs in its own transaction, and a continued run reads its count back") {
    temp_dir d;
    const std::string file = d / "out.db";
    std::uint64_t n = 99;
    {
        fake_transport t(descriptor(), sample_pclasses(), {{"file", file}});
        REQUIRE(t.open() == FACTORY_OK);
        REQUIRE(t.durable(n) == FACTORY_OK);
        CHECK(n == 0); // no run id (outside factory-host): nothing is counted
        export_sample(t);
        REQUIRE(t.durable(n) == FACTORY_OK);
        CHECK(n == 0);
    }
    CHECK(query(file, "SELECT count(*) FROM sqlite_master WHERE name = 'factory_runs'") == rows{{"i:0"}});

    run_named run("run-a");
    {
        fake_transport t(descriptor(), sample_pclasses(), {{"file", file}, {"mode", "append"}});
        REQUIRE(t.open() == FACTORY_OK);
        export_sample(t);
        REQUIRE(t.durable(n) == FACTORY_OK);
        CHECK(n == 3);
    }
    CHECK(query(file, "SELECT run, products, first_commit <= last_commit FROM factory_runs") ==
          rows{{"t:run-a", "i:3", "i:1"}});
    // A transportation process of run-a died holding the file: its lock file still names the run.
    write_file(file + ".lock", "run run-a\npid 1\n");
    {
        fake_transport t(descriptor(), sample_pclasses(), {{"file", file}}); // mode=refuse: a continuation is no new run
        REQUIRE(t.open() == FACTORY_OK);
        REQUIRE(t.durable(n) == FACTORY_OK);
        CHECK(n == 3);
        REQUIRE(t.export_records(0, std::vector<flow_record>{make_flow(3, 300)}) == FACTORY_OK);
        REQUIRE(t.durable(n) == FACTORY_OK);
        CHECK(n == 4);
    }
    CHECK(query(file, "SELECT run, products FROM factory_runs") == rows{{"t:run-a", "i:4"}});
    CHECK(query(file, "SELECT count(*) FROM flows") == rows{{"i:5"}});
}

TEST_CASE("a batch that fails is not counted in factory_runs, and a pclass may not take the table's name") {
    temp_dir d;
    const std::string file = d / "out.db";
    run_named run("run-b");
    fake_transport t(descriptor(), sample_pclasses(), {{"file", file}, {"busy_timeout", "10ms"}});
    REQUIRE(t.open() == FACTORY_OK);
    export_sample(t);
    sqlite3* other = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &other) == SQLITE_OK);
    REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
    CHECK(t.export_records(0, std::vector<flow_record>{make_flow(3, 300)}) == FACTORY_RETRY);
    sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(other);
    std::uint64_t n = 0;
    REQUIRE(t.durable(n) == FACTORY_OK);
    CHECK(n == 3);
    CHECK(query(file, "SELECT products FROM factory_runs") == rows{{"i:3"}});

    std::vector<factory_pclass> named = sample_pclasses();
    named[1].name = "factory_runs";
    fake_transport clash(descriptor(), named, {{"file", d / "other.db"}});
    CHECK(clash.open() == FACTORY_ERROR);
    CHECK_THAT(clash.error, Catch::Contains("pclass 'factory_runs'") && Catch::Contains("rename the pclass"));
}

TEST_CASE("a table dropped under the run is made again: one retry, then the batch passes") {
    temp_dir d;
    const std::string file = d / "out.db";
    fake_transport t(descriptor(), sample_pclasses(), {{"file", file}});
    REQUIRE(t.open() == FACTORY_OK);
    export_sample(t);
    sqlite3* other = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &other) == SQLITE_OK);
    REQUIRE(sqlite3_exec(other, "DROP TABLE flows", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(other);
    std::vector<flow_record> batch{make_flow(3, 300), make_flow(4, 400)};
    CHECK(t.export_records(0, batch) == FACTORY_RETRY);
    CHECK_THAT(t.error, Catch::Contains("no such table: flows") && Catch::Contains("made again at the next attempt"));
    REQUIRE(t.export_records(0, batch) == FACTORY_OK);
    CHECK(query(file, "SELECT pid FROM flows ORDER BY pid") == rows{{"i:3"}, {"i:4"}});
}

TEST_CASE("a disk that fills up during the first batch: retry, and once space is freed the table is made and the rows written") {
    small_disk disk(2u << 20);
    if (!disk.mounted()) {
        WARN("cannot mount a small tmpfs here (" << disk.why() << "; needs root with CAP_SYS_ADMIN): skipped");
        return;
    }
    const std::string file = disk / "out.db";
    run_named run("run-full");
    fake_transport t(descriptor(), sample_pclasses(), {{"file", file}});
    REQUIRE(t.open() == FACTORY_OK);
    REQUIRE(disk.fill(disk / "filler") > 0);
    std::vector<flow_record> batch;
    for (std::uint64_t i = 1; i <= 200; ++i) batch.push_back(make_flow(i, i * 100, "row"));
    CHECK(t.export_records(0, batch) == FACTORY_RETRY);
    CHECK_THAT(t.error, Catch::Contains(file) && Catch::Contains("tried again"));
    CHECK(t.export_records(0, batch) == FACTORY_RETRY); // still full: still a retry, not an error
    std::filesystem::remove(disk / "filler");
    REQUIRE(t.export_records(0, batch) == FACTORY_OK);
    REQUIRE(t.export_records(1, std::vector<alert_record>{make_alert(7, 3, "after")}) == FACTORY_OK);
    std::uint64_t n = 0;
    REQUIRE(t.durable(n) == FACTORY_OK);
    CHECK(n == 201);
    t.close();
    CHECK(query(file, "SELECT count(*), sum(bytes) FROM flows") == rows{{"i:200", "i:2010000"}});
    CHECK(query(file, "SELECT products FROM factory_runs") == rows{{"i:201"}});
}

TEST_CASE("a database file deleted under the run: the batch is a retry, not committed into the void, then a new file") {
    temp_dir d;
    const std::string dir = d / "out";
    std::filesystem::create_directory(dir);
    const std::string file = dir + "/out.db";
    fake_transport t(descriptor(), sample_pclasses(), {{"file", file}});
    REQUIRE(t.open() == FACTORY_OK);
    export_sample(t);
    std::filesystem::remove_all(dir);
    std::vector<flow_record> batch{make_flow(3, 300), make_flow(4, 400)};
    CHECK(t.export_records(0, batch) == FACTORY_RETRY);
    CHECK(t.error == "sqlite database '" + file + "' was deleted or moved while the run wrote it (the rows committed "
                                                  "before went with it); it is made afresh at the next attempt");
    CHECK(t.export_records(0, batch) == FACTORY_RETRY); // its folder is gone too: a retry, then dead letters
    CHECK_THAT(t.error, Catch::Contains(file) && Catch::Contains("No such file or directory"));
    std::filesystem::create_directory(dir);
    REQUIRE(t.export_records(0, batch) == FACTORY_OK);
    REQUIRE(t.export_records(1, std::vector<alert_record>{make_alert(9, 1, "again")}) == FACTORY_OK);
    CHECK(query(file, "SELECT pid FROM flows ORDER BY pid") == rows{{"i:3"}, {"i:4"}});
    CHECK(query(file, "SELECT pid FROM alerts") == rows{{"i:9"}});
    REQUIRE_FALSE(t.host.logs.empty());
    CHECK_THAT(t.host.logs.back(), Catch::Contains("'" + file + "' made afresh"));
}
