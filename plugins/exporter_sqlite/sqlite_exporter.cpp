#include "sqlite_exporter.hpp"

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
    for (const factory_pclass& pc : info) tables_.push_back(table{plan_table(pc, indexes, iso), statement{}});

    std::string wal_note;
    database::options dbo;
    dbo.sync = sync_of(s.text("synchronous"));
    dbo.busy_timeout_ms = busy_ms;
    dbo.cache_bytes = s.size_bytes("cache");
    db_ = std::make_unique<database>(s.string("file"), dbo, wal_note);
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
}

sqlite_exporter::~sqlite_exporter() {
    try {
        host().log(factory::log_level::info,
                   std::to_string(rows_) + " rows written to " + db_->path());
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

factory::export_result sqlite_exporter::fail(int rc, const char* doing) {
    std::string why = db_->describe(rc, doing);
    db_->exec("ROLLBACK");
    return classify(rc) == outcome::error ? factory::export_result::error(why) : factory::export_result::retry(why);
}

factory::export_result sqlite_exporter::on_export(const factory::batch& b) {
    if (b.pclass() >= tables_.size())
        return factory::export_result::error("batch of undeclared pclass " + std::to_string(b.pclass()));
    const std::uint32_t record_size = b.schema().record_size;
    for (const factory_product* p : b)
        if (p->size < record_size)
            return factory::export_result::error("product of " + std::to_string(p->size) + " bytes in pclass '" +
                                                 b.schema().name + "', whose records have " + std::to_string(record_size));
    table& t = tables_[b.pclass()];
    int rc = db_->exec("BEGIN IMMEDIATE");
    if (rc != SQLITE_OK) return fail(rc, "starting a transaction");
    rc = ensure_table(t);
    if (rc != SQLITE_OK) return fail(rc, "creating the table and its indexes");
    sqlite3_stmt* insert = t.insert.get();
    for (const factory_product* p : b) {
        rc = bind_record(t.plan, insert, static_cast<const unsigned char*>(factory_product_payload(p)), scratch_);
        if (rc == SQLITE_OK) rc = sqlite3_step(insert);
        sqlite3_reset(insert);
        if (rc != SQLITE_DONE) return fail(rc, "inserting a row");
    }
    rc = db_->exec("COMMIT");
    if (rc != SQLITE_OK) return fail(rc, "committing");
    rows_ += b.size();
    return factory::export_result::ok();
}

} // namespace factory::sqlite
