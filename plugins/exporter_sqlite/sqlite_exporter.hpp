// The sqlite exporter: products into an SQLite database file, the embedded default database.
//
// One table per pclass, named after it, with a column per field (types in table_plan.hpp),
// created with its indexes on the pclass's first batch (a pclass that ships nothing leaves no
// table). Indexes: the `index` setting names columns, one index each ("a+b": one index over
// both); a pclass that lacks a column named there gets no such index. The file is created
// owner-only (0600) and put in WAL mode, so that readers (sqlite3, a dashboard) never block the
// writer.
//
// Each export call is one transaction (BEGIN IMMEDIATE ... COMMIT): a batch is in the database
// whole or not at all. Answers: ok; retry with SQLite's reason when the database is locked by
// another writer for longer than busy_timeout, the disk is full, the file is read-only or an I/O
// error happens (nothing of the batch stays: the transaction is rolled back); error for what
// will not pass (a corrupt file). A failed transaction takes back the CREATE TABLE it held, so the
// next attempt makes the table again: a full disk during the first batch passes once space is
// freed. A database file deleted under the run is found before each commit: the batch answers
// retry and the next attempt makes a new file. At open, a table that exists with other columns
// than its pclass's fields is refused, naming it, instead of failing every batch later.
//
// Runs: the file is locked against a second run and the mode setting decides what happens to one
// that exists (refuse, append, replace: see ../common/file_output/file_settings.hpp). Under
// factory-host (run_id() is set), every batch's transaction also adds its rows to this run's line
// of the table factory_runs (run, products, first_commit, last_commit), so that the count of
// rows committed in this run is as durable as the rows: durable_count() gives it to a
// transportation process that replaces one that died.
//
// Checkpoints: exactly once. on_commit(k) records in factory_epochs the largest rowid of every
// pclass table at epoch k (epochs.hpp says why a transaction of its own right after the batches is
// exact); a job that starts (checkpoints without resume) applies the mode and records epoch 0; a
// job that resumes takes the file as its own, whatever the mode, and deletes the rows written after
// the resume epoch. factory_runs is left as it was: its counts are per run, not per checkpoint.
#pragma once

#include "database.hpp"
#include "table_plan.hpp"

#include "../common/file_output/file_settings.hpp"
#include "../common/file_output/output_lock.hpp"

#include <factory/exporter.hpp>

#include <memory>
#include <string>
#include <vector>

namespace factory::sqlite {

class sqlite_exporter : public factory::exporter {
public:
    static constexpr factory::info info{"sqlite", "1.0.0",
                                        "products into an SQLite database file, one table per pclass"};
    static constexpr const char* notes =
        "One table per pclass, named after it; one column per field, in schema order.\n"
        "Columns: u8..u32, i8..i64, bool INTEGER; u64 INTEGER bit for bit: a value above 2^63-1 (a pid hash)\n"
        "reads back negative, add 2^64; f32, f64 REAL (NaN as NULL); ipv4, ipv6, string TEXT;\n"
        "time_ns INTEGER ns since 1970 (time=iso8601: TEXT).\n"
        "Each batch is one transaction; WAL mode; the file is created 0600.\n"
        "Checkpoints: exactly once; factory_epochs keeps each table's largest rowid per epoch, and a\n"
        "resumed job deletes the rows written after its epoch.\n"
        "More: share/doc/factory/plugins/exporter_sqlite.md";
    static inline const factory::setting settings[] = {
        {"file", FACTORY_SETTING_PATH_OUT, "factory.db", "the database file (created owner-only when missing)"},
        output::mode_setting,
        {"index", FACTORY_SETTING_STRING, "src_addr,dst_addr,src_port,dst_port",
         "columns to index, comma-separated, one index each (a+b: one index over both); a table "
         "without such a column gets no such index"},
        {"time", FACTORY_SETTING_ENUM, "ns",
         "time_ns fields as INTEGER nanoseconds or ISO 8601 UTC TEXT", "ns|iso8601"},
        {"synchronous", FACTORY_SETTING_ENUM, "normal",
         "SQLite's synchronous setting: normal is safe from corruption in WAL mode; full also "
         "survives power loss; off is fastest",
         "off|normal|full"},
        {"busy_timeout", FACTORY_SETTING_DURATION, "1s",
         "how long a batch waits for another writer's lock before it is retried later"},
        {"cache", FACTORY_SETTING_SIZE, "64MiB",
         "SQLite's page cache: indexes on random keys (addresses) insert faster when they fit"},
    };

    sqlite_exporter(const factory::settings& s, factory::host h, const factory::export_info& info);

    factory::export_result on_export(const factory::batch& b);
    void on_commit(std::uint64_t epoch);

    // Rows inserted so far by this process (for the close log and tests).
    std::uint64_t rows() const noexcept { return rows_; }
    // Rows committed in this run, by this process and the earlier ones of the run (0 without a run id).
    std::uint64_t durable_count() const noexcept { return durable_; }
    ~sqlite_exporter();

    // The table where each run's committed row count is kept.
    static constexpr const char* runs_table = "factory_runs";

private:
    struct table {
        table_plan plan;
        statement insert; // prepared once the table exists (in a committed transaction or this one)
    };

    // Creates the pclass's table and indexes and prepares its insert; SQLite's code on failure.
    int ensure_table(table& t);
    // Creates factory_runs and prepares the statement that adds to this run's line.
    int ensure_runs();
    // Adds `n` rows to this run's line of factory_runs (inside the batch's transaction).
    int count_rows(std::uint64_t n);
    // Rolls back; the statements of tables made in the transaction go too, so the next attempt
    // makes them again (a rollback takes a CREATE TABLE back).
    factory::export_result fail(int rc, const char* doing, table& t);
    // True when the database file was deleted or renamed since it was opened.
    bool moved() const noexcept;

    std::unique_ptr<output::output_lock> lock_;
    std::string file_;
    database::options options_;
    std::unique_ptr<database> db_; // null after the file was found deleted, until the next batch
    std::vector<table> tables_;
    std::vector<std::string> table_names_;
    std::string run_;
    statement count_;  // the upsert into factory_runs, prepared once it exists
    std::string scratch_;
    std::uint64_t rows_ = 0;
    std::uint64_t durable_ = 0;
};

} // namespace factory::sqlite
