#include "sqlite_exporter.hpp"

#include "epochs.hpp"

#include <factory/schema.hpp>

#include <algorithm>

namespace factory::sqlite {

namespace {

const char* default_index() {
    for (const factory::setting& s : sqlite_exporter::settings)
        if (std::string_view(s.key) == "index") return s.default_value;
    return "";
}

sync_mode sync_of(std::string_view s) {
    if (s == "off") return sync_mode::off;
    if (s == "full") return sync_mode::full;
    return sync_mode::normal;
}

// The column names of `table` as the database has it (empty when there is no such table).
std::vector<std::string> existing_columns(database& db, const std::string& table) {
    statement info(db.handle(), "PRAGMA table_info(" + quoted(table) + ")");
    std::vector<std::string> names;
    int rc;
    while ((rc = sqlite3_step(info.get())) == SQLITE_ROW)
        names.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(info.get(), 1)));
    if (rc != SQLITE_DONE) throw factory::error(db.describe(rc, "reading the columns of table '" + table + "'"));
    return names;
}

bool table_exists(database& db, const std::string& table) {
    statement q(db.handle(), "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
    sqlite3_bind_text(q.get(), 1, table.data(), static_cast<int>(table.size()), SQLITE_TRANSIENT);
    return sqlite3_step(q.get()) == SQLITE_ROW;
}

// Rows committed in `run` so far (by earlier transportation processes of the run).
std::uint64_t committed_in(database& db, const std::string& run) {
    if (run.empty() || !table_exists(db, sqlite_exporter::runs_table)) return 0;
    statement q(db.handle(), std::string("SELECT products FROM ") + sqlite_exporter::runs_table + " WHERE run = ?1");
    sqlite3_bind_text(q.get(), 1, run.data(), static_cast<int>(run.size()), SQLITE_TRANSIENT);
    int rc = sqlite3_step(q.get());
    if (rc == SQLITE_ROW) return static_cast<std::uint64_t>(sqlite3_column_int64(q.get(), 0));
    if (rc != SQLITE_DONE) throw factory::error(db.describe(rc, "reading this run's line of factory_runs"));
    return 0;
}

} // namespace

sqlite_exporter::sqlite_exporter(const factory::settings& s, factory::host h, const factory::export_info& info)
    : exporter(h) {
    const std::string index_text = s.string("index");
    const auto indexes = parse_indexes(index_text);
    const bool iso = s.text("time") == "iso8601";
    std::int64_t busy_ns = s.duration_ns("busy_timeout");
    int busy_ms = static_cast<int>(std::clamp<std::int64_t>(busy_ns / 1'000'000, 0, 3'600'000));

    if (index_text != default_index()) {
        for (const auto& index : indexes)
            for (const std::string& c : index) {
                bool found = false;
                for (const factory_pclass& pc : info) found = found || find_field(pc, c) != nullptr;
                if (!found)
                    throw factory::error("setting 'index': no pclass of the blueprint has a field '" + c +
                                         "'; `factory-host plugins <blueprint>` lists them");
            }
    }
    for (const factory_pclass& pc : info) {
        if (std::string_view(pc.name) == runs_table)
            throw factory::error(std::string("pclass '") + runs_table +
                                 "' has the name of the table where the sqlite exporter counts each run's rows; "
                                 "rename the pclass");
        if (std::string_view(pc.name) == epochs::table)
            throw factory::error(std::string("pclass '") + epochs::table +
                                 "' has the name of the table where the sqlite exporter keeps its checkpoints; "
                                 "rename the pclass");
        table_names_.emplace_back(pc.name);
        tables_.push_back(table{plan_table(pc, indexes, iso), statement{}});
    }
    const std::string file = s.string("file");
    lock_ = std::make_unique<output::output_lock>(file, "file");
    // A transportation process that replaces one that died continues the run's file as it is; a
    // resumed job takes it as its own and undoes what came after its checkpoint (below).
    if (!lock_->resumed() && !info.resuming())
        output::apply_mode(file, output::mode_of(s.text("mode")), "file", true, {"-wal", "-shm", "-journal"});

    std::string wal_note;
    file_ = file;
    options_.sync = sync_of(s.text("synchronous"));
    options_.busy_timeout_ms = busy_ms;
    options_.cache_bytes = s.size_bytes("cache");
    db_ = std::make_unique<database>(file, options_, wal_note);
    if (!wal_note.empty()) host().log(factory::log_level::warn, wal_note);
    for (const table& t : tables_) {
        std::vector<std::string> have = existing_columns(*db_, t.plan.table);
        if (have.empty()) continue;
        std::vector<std::string> want;
        for (const factory_field* f : t.plan.fields) want.emplace_back(f->name);
        if (have != want) {
            std::string listed;
            for (const auto& c : have) listed += (listed.empty() ? "" : ", ") + c;
            throw factory::error("sqlite database '" + db_->path() + "': table '" + t.plan.table +
                                 "' exists with other columns (" + listed +
                                 ") than the blueprint's pclass; use another file, or rename or drop the table");
        }
    }
    run_ = factory::run_id();
    if (info.resuming()) {
        const std::uint64_t deleted = epochs::resume(*db_, info.resume_epoch(), table_names_);
        host().log(factory::log_level::info, "sqlite database '" + file_ + "' returned to epoch " +
                                                 std::to_string(info.resume_epoch()) + ": " + std::to_string(deleted) +
                                                 " rows written after it deleted");
    } else if (info.checkpoints()) {
        epochs::start(*db_, table_names_, run_);
    }
    durable_ = committed_in(*db_, run_);
}

void sqlite_exporter::on_commit(std::uint64_t epoch) {
    if (!db_) {
        // The file was deleted under the run: the rows the epoch counts on are gone with it.
        throw factory::error("sqlite database '" + file_ + "' was deleted under the run; epoch " +
                             std::to_string(epoch) + " cannot be recorded");
    }
    epochs::commit(*db_, epoch, table_names_, run_);
}

sqlite_exporter::~sqlite_exporter() {
    try {
        host().log(factory::log_level::info, std::to_string(rows_) + " rows written to " + file_);
    } catch (...) {
        // Nothing more can be done from a destructor.
    }
}

int sqlite_exporter::ensure_table(table& t) {
    if (t.insert) return SQLITE_OK;
    int rc = db_->exec(t.plan.create_sql.c_str());
    for (std::size_t i = 0; i < t.plan.index_sql.size() && rc == SQLITE_OK; ++i) rc = db_->exec(t.plan.index_sql[i].c_str());
    if (rc != SQLITE_OK) return rc;
    sqlite3_stmt* s = nullptr;
    rc = sqlite3_prepare_v3(db_->handle(), t.plan.insert_sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(s);
        return rc;
    }
    t.insert = statement(s);
    return SQLITE_OK;
}

int sqlite_exporter::ensure_runs() {
    if (count_ || run_.empty()) return SQLITE_OK;
    int rc = db_->exec("CREATE TABLE IF NOT EXISTS factory_runs (run TEXT PRIMARY KEY, products INTEGER NOT NULL, "
                       "first_commit TEXT, last_commit TEXT)");
    if (rc != SQLITE_OK) return rc;
    sqlite3_stmt* s = nullptr;
    rc = sqlite3_prepare_v3(db_->handle(),
                            "INSERT INTO factory_runs (run, products, first_commit, last_commit) VALUES (?1, ?2, "
                            "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) "
                            "ON CONFLICT (run) DO UPDATE SET products = products + excluded.products, "
                            "last_commit = excluded.last_commit",
                            -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(s);
        return rc;
    }
    count_ = statement(s);
    return sqlite3_bind_text(s, 1, run_.data(), static_cast<int>(run_.size()), SQLITE_STATIC);
}

int sqlite_exporter::count_rows(std::uint64_t n) {
    if (run_.empty()) return SQLITE_DONE;
    int rc = sqlite3_bind_int64(count_.get(), 2, static_cast<std::int64_t>(n));
    if (rc == SQLITE_OK) rc = sqlite3_step(count_.get());
    sqlite3_reset(count_.get());
    return rc;
}

factory::export_result sqlite_exporter::fail(int rc, const char* doing, table& t) {
    std::string why = db_->describe(rc, doing);
    db_->exec("ROLLBACK");
    // Whether the tables were made in this transaction or earlier, CREATE ... IF NOT EXISTS and a
    // fresh statement next time cost nothing that matters on this path, and they also bring back
    // a table that someone dropped.
    t.insert = statement{};
    count_ = statement{};
    // "no such table" is SQLite's generic error; once the table is made again the batch passes.
    bool gone = (rc & 0xff) == SQLITE_ERROR && !table_exists(*db_, t.plan.table);
    if (gone) why += " (the table is made again at the next attempt)";
    return classify(rc) == outcome::error && !gone ? factory::export_result::error(why)
                                                   : factory::export_result::retry(why);
}

bool sqlite_exporter::moved() const noexcept {
    int moved = 0;
    return sqlite3_file_control(db_->handle(), "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK && moved != 0;
}

factory::export_result sqlite_exporter::on_export(const factory::batch& b) {
    if (!db_) {
        // The file was deleted under the run: a new one, with the tables made again as batches come.
        try {
            std::string wal_note;
            db_ = std::make_unique<database>(file_, options_, wal_note);
        } catch (const std::exception& e) {
            return factory::export_result::retry(e.what());
        }
        host().log(factory::log_level::warn, "sqlite database '" + file_ + "' made afresh");
    }
    if (b.pclass() >= tables_.size())
        return factory::export_result::error("batch of undeclared pclass " + std::to_string(b.pclass()));
    if (auto sizes = factory::check_record_sizes(b); sizes.code() != FACTORY_OK) return sizes;
    table& t = tables_[b.pclass()];
    int rc = db_->exec("BEGIN IMMEDIATE");
    if (rc != SQLITE_OK) return fail(rc, "starting a transaction", t);
    rc = ensure_table(t);
    if (rc == SQLITE_OK) rc = ensure_runs();
    if (rc != SQLITE_OK) return fail(rc, "creating the table and its indexes", t);
    sqlite3_stmt* insert = t.insert.get();
    for (const factory_product* p : b) {
        rc = bind_record(t.plan, insert, static_cast<const unsigned char*>(factory_product_payload(p)), scratch_);
        if (rc == SQLITE_OK) rc = sqlite3_step(insert);
        sqlite3_reset(insert);
        if (rc != SQLITE_DONE) return fail(rc, "inserting a row", t);
    }
    rc = count_rows(b.size());
    if (rc != SQLITE_DONE) return fail(rc, "counting the rows in factory_runs", t);
    // In WAL mode SQLite commits into a deleted file without a word: one fstat per batch (its
    // file control) keeps a batch from going where nobody can read it.
    if (moved()) {
        db_->exec("ROLLBACK");
        for (table& each : tables_) each.insert = statement{};
        count_ = statement{};
        db_.reset();
        return factory::export_result::retry("sqlite database '" + file_ +
                                             "' was deleted or moved while the run wrote it (the rows committed "
                                             "before went with it); it is made afresh at the next attempt");
    }
    rc = db_->exec("COMMIT");
    if (rc != SQLITE_OK) return fail(rc, "committing", t);
    rows_ += b.size();
    if (!run_.empty()) durable_ += b.size();
    return factory::export_result::ok();
}

} // namespace factory::sqlite
