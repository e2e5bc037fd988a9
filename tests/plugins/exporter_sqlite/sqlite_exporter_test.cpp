#include "exporter_sqlite/sqlite_exporter.hpp"
#include "query.hpp"
#include "support/fake_transport.hpp"
#include "support/load_plugin.hpp"
#include "support/sample_products.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>

using namespace factory::testing;

namespace {

const factory_descriptor* descriptor() {
    return factory::detail::exporter_descriptor<factory::sqlite::sqlite_exporter>();
}

// A flow with both address families in ipv6 fields, as the flowmeter ships them.
struct net_flow {
    std::uint64_t pid;
    factory::ipv6 src_addr;
    factory::ipv6 dst_addr;
    std::uint16_t src_port;
    std::uint16_t dst_port;
    std::uint8_t ip_version;
    bool closed;
    std::uint8_t pad[2];
    double ratio;
};
const factory::schema net_schema = factory::make_schema<net_flow>(
    {FACTORY_FIELD(net_flow, pid), FACTORY_FIELD(net_flow, src_addr), FACTORY_FIELD(net_flow, dst_addr),
     FACTORY_FIELD(net_flow, src_port), FACTORY_FIELD(net_flow, dst_port), FACTORY_FIELD(net_flow, ip_version),
     FACTORY_FIELD(net_flow, closed), FACTORY_FIELD(net_flow, ratio)});

std::vector<factory_pclass> net_pclasses() {
    return {factory_pclass{"net", net_schema.record_size, static_cast<std::uint32_t>(net_schema.fields.size()),
                           net_schema.fields.data()}};
}

net_flow v4_flow(std::uint64_t pid, std::uint16_t port) {
    net_flow f{};
    f.pid = pid;
    std::uint8_t s[4] = {10, 0, 0, 1}, d[4] = {192, 0, 2, 7};
    std::memcpy(f.src_addr.bytes, s, 4);
    std::memcpy(f.dst_addr.bytes, d, 4);
    f.src_port = port;
    f.dst_port = 443;
    f.ip_version = 4;
    f.ratio = 0.5;
    return f;
}

void export_sample(fake_transport& t) {
    REQUIRE(t.export_records(0, std::vector<flow_record>{make_flow(1, 100, "first"), make_flow(2, 200, "a \"q\"")}) ==
            FACTORY_OK);
    REQUIRE(t.export_records(1, std::vector<alert_record>{make_alert(7, 3, "disk, full")}) == FACTORY_OK);
}

} // namespace

TEST_CASE("one table per pclass, made at its first batch, with columns sqlite3 users query plainly") {
    temp_dir d;
    const std::string file = d / "out.db";
    {
        fake_transport t(descriptor(), sample_pclasses(), {{"file", file}});
        REQUIRE(t.open() == FACTORY_OK);
        export_sample(t);
    }
    CHECK(query(file, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") ==
          rows{{"t:alerts"}, {"t:flows"}}); // "unused" shipped nothing
    CHECK(query(file, "SELECT pid, bytes, src, at, note FROM flows ORDER BY pid") ==
          rows{{"i:1", "i:100", "t:10.0.0.1", "i:1700000000000000001", "t:first"},
               {"i:2", "i:200", "t:10.0.0.2", "i:1700000000000000002", "t:a \"q\""}});
    CHECK(query(file, "SELECT * FROM alerts") == rows{{"i:7", "i:3", "t:disk, full"}});
    CHECK(query(file, "SELECT count(*) FROM flows WHERE src = '10.0.0.2'") == rows{{"i:1"}});
}

TEST_CASE("time=iso8601 stores time_ns fields as ISO 8601 text") {
    temp_dir d;
    const std::string file = d / "out.db";
    {
        fake_transport t(descriptor(), sample_pclasses(), {{"file", file}, {"time", "iso8601"}});
        REQUIRE(t.open() == FACTORY_OK);
        REQUIRE(t.export_records(0, std::vector<flow_record>{make_flow(1, 100)}) == FACTORY_OK);
    }
    CHECK(query(file, "SELECT at FROM flows") == rows{{"t:2023-11-14T22:13:20.000Z"}});
}

TEST_CASE("addresses of either family read as text, IPv4 as a dotted quad, u64 bit for bit, f64 and bool") {
    temp_dir d;
    const std::string file = d / "out.db";
    net_flow a = v4_flow(0xfffffffffffffffeULL, 1000);
    net_flow b{};
    b.pid = 5;
    b.ip_version = 6;
    std::uint8_t s6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    std::uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 51, 100, 9};
    std::memcpy(b.src_addr.bytes, s6, 16);
    std::memcpy(b.dst_addr.bytes, mapped, 16);
    b.closed = true;
    b.ratio = std::nan("");
    {
        fake_transport t(descriptor(), net_pclasses(), {{"file", file}});
        REQUIRE(t.open() == FACTORY_OK);
        REQUIRE(t.export_records(0, std::vector<net_flow>{a, b}) == FACTORY_OK);
    }
    CHECK(query(file, "SELECT pid, src_addr, dst_addr, src_port, ip_version, closed, ratio FROM net ORDER BY src_port DESC") ==
          rows{{"i:-2", "t:10.0.0.1", "t:192.0.2.7", "i:1000", "i:4", "i:0", "r:0.500000"},
               {"i:5", "t:2001:db8::1", "t:198.51.100.9", "i:0", "i:6", "i:1", "n:"}});
    CHECK(query(file, "SELECT typeof(src_port), typeof(src_addr) FROM net LIMIT 1") == rows{{"t:integer", "t:text"}});
}

TEST_CASE("indexes on the named columns a table has: one each, or joined with '+'") {
    temp_dir d;
    const std::string file = d / "out.db";
    {
        fake_transport t(descriptor(), net_pclasses(), {{"file", file}});
        REQUIRE(t.open() == FACTORY_OK);
        REQUIRE(t.export_records(0, std::vector<net_flow>{v4_flow(1, 1)}) == FACTORY_OK);
    }
    CHECK(query(file, "SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name") ==
          rows{{"t:net_dst_addr_idx"}, {"t:net_dst_port_idx"}, {"t:net_src_addr_idx"}, {"t:net_src_port_idx"}});
    CHECK(query(file, "EXPLAIN QUERY PLAN SELECT * FROM net WHERE dst_port = 443").at(0).back() ==
          "t:SEARCH net USING INDEX net_dst_port_idx (dst_port=?)");

    const std::string other = d / "other.db";
    {
        fake_transport t(descriptor(), sample_pclasses(), {{"file", other}, {"index", "pid+at, bytes"}});
        REQUIRE(t.open() == FACTORY_OK);
        export_sample(t);
    }
    CHECK(query(other, "SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name") ==
          rows{{"t:flows_bytes_idx"}, {"t:flows_pid_at_idx"}}); // alerts has no at, no bytes
}

TEST_CASE("the file is owner-only and in WAL mode, its -wal file too") {
    temp_dir d;
    const std::string file = d / "out.db";
    fake_transport t(descriptor(), sample_pclasses(), {{"file", file}});
    REQUIRE(t.open() == FACTORY_OK);
    export_sample(t);
    CHECK(mode_of(file) == 0600);
    REQUIRE(std::filesystem::exists(file + "-wal"));
    CHECK(mode_of(file + "-wal") == 0600);
    CHECK(query(file, "PRAGMA journal_mode") == rows{{"t:wal"}});
    // A reader sees committed batches while the exporter still has the file open.
    CHECK(query(file, "SELECT count(*) FROM flows") == rows{{"i:2"}});
}

TEST_CASE("a batch is one transaction: while another writer holds the lock it is a retry, nothing of it stays") {
    temp_dir d;
    const std::string file = d / "out.db";
    fake_transport t(descriptor(), sample_pclasses(), {{"file", file}, {"busy_timeout", "20ms"}});
    REQUIRE(t.open() == FACTORY_OK);
    REQUIRE(t.export_records(0, std::vector<flow_record>{make_flow(1, 100)}) == FACTORY_OK);

    sqlite3* other = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &other) == SQLITE_OK);
    REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
    std::vector<flow_record> batch{make_flow(2, 200), make_flow(3, 300), make_flow(4, 400)};
    CHECK(t.export_records(0, batch) == FACTORY_RETRY);
    CHECK_THAT(t.error, Catch::Contains(file) && Catch::Contains("locked") && Catch::Contains("busy_timeout"));
    REQUIRE(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(other);
    CHECK(query(file, "SELECT count(*) FROM flows") == rows{{"i:1"}});

    REQUIRE(t.export_records(0, batch) == FACTORY_OK);
    CHECK(query(file, "SELECT pid FROM flows ORDER BY pid") == rows{{"i:1"}, {"i:2"}, {"i:3"}, {"i:4"}});
}

TEST_CASE("mode=append adds to the tables, and a table with other columns is refused at open, naming it") {
    temp_dir d;
    const std::string file = d / "out.db";
    for (int run = 0; run < 2; ++run) {
        fake_transport t(descriptor(), sample_pclasses(), {{"file", file}, {"mode", "append"}});
        REQUIRE(t.open() == FACTORY_OK);
        export_sample(t);
    }
    CHECK(query(file, "SELECT count(*) FROM flows") == rows{{"i:4"}});
    fake_transport t(descriptor(), {factory_pclass{"flows", net_schema.record_size,
                                                   static_cast<std::uint32_t>(net_schema.fields.size()),
                                                   net_schema.fields.data()}},
                     {{"file", file}, {"mode", "append"}});
    CHECK(t.open() == FACTORY_ERROR);
    CHECK_THAT(t.error, Catch::Contains("table 'flows' exists with other columns (pid, bytes, src, at, note)") &&
                            Catch::Contains("use another file"));
}

TEST_CASE("bad settings and files are refused at open, naming them") {
    temp_dir d;
    auto open_error = [&](const fake_settings::overrides& s) {
        fake_transport t(descriptor(), sample_pclasses(), s);
        CHECK(t.open() == FACTORY_ERROR);
        return t.error;
    };
    write_file(d / "junk.db", std::string(4096, 'x'));
    CHECK_THAT(open_error({{"file", d / "junk.db"}, {"mode", "append"}}), Catch::Contains("junk.db") && Catch::Contains("not a database"));
    CHECK_THAT(open_error({{"file", d / "x.db"}, {"index", "bytes,nonesuch"}}),
               Catch::Contains("setting 'index'") && Catch::Contains("'nonesuch'"));
    CHECK_THAT(open_error({{"file", d / "x.db"}, {"index", "bytes+"}}), Catch::Contains("setting 'index'"));
    CHECK_THAT(open_error({{"file", d / "no/such/dir/x.db"}}), Catch::Contains("setting 'file'"));
}

TEST_CASE("a product of the wrong size is an error for the batch, and nothing of it is written") {
    temp_dir d;
    const std::string file = d / "out.db";
    fake_transport t(descriptor(), sample_pclasses(), {{"file", file}});
    REQUIRE(t.open() == FACTORY_OK);
    CHECK(t.export_records(0, std::vector<alert_record>{make_alert(1, 1, "x")}) == FACTORY_ERROR);
    CHECK_THAT(t.error, Catch::Contains("pclass 'flows'"));
    CHECK(query(file, "SELECT count(*) FROM sqlite_master WHERE type = 'table'") == rows{{"i:0"}});
}

TEST_CASE("SQLite's result codes: what may pass is a retry, what will not is an error") {
    using factory::sqlite::classify;
    using factory::sqlite::outcome;
    for (int rc : {SQLITE_BUSY, SQLITE_LOCKED, SQLITE_FULL, SQLITE_READONLY, SQLITE_IOERR, SQLITE_IOERR_WRITE,
                   SQLITE_CANTOPEN, SQLITE_BUSY_SNAPSHOT})
        CHECK(classify(rc) == outcome::retry);
    for (int rc : {SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_MISUSE, SQLITE_CONSTRAINT, SQLITE_ERROR})
        CHECK(classify(rc) == outcome::error);
    CHECK(classify(SQLITE_DONE) == outcome::ok);
    CHECK_THAT(factory::sqlite::advice(SQLITE_FULL), Catch::Contains("disk is full"));
    CHECK_THAT(factory::sqlite::advice(SQLITE_READONLY_DBMOVED), Catch::Contains("not writable"));
}

TEST_CASE("libexporter_sqlite.so describes itself and its settings") {
    const factory_descriptor* desc = load_plugin(FACTORY_TEST_PLUGIN);
    CHECK(std::string(desc->name) == "sqlite");
    CHECK(desc->kind == FACTORY_KIND_EXPORTER);
    for (const char* key : {"file", "mode", "index", "time", "synchronous", "busy_timeout", "cache"})
        CHECK(find_setting(desc, key) != nullptr);
    CHECK(std::string(find_setting(desc, "index")->default_value) == "src_addr,dst_addr,src_port,dst_port");
    CHECK(std::string(find_setting(desc, "mode")->default_value) == "refuse");
    CHECK(desc->exporter->on_durable != nullptr);
}
