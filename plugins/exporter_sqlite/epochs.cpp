#include "epochs.hpp"

#include "table_plan.hpp"

#include <factory/settings.hpp>

#include <map>

namespace factory::sqlite::epochs {
namespace {

// Every statement of one transaction; on any failure the transaction is rolled back and the
// error names what was being done.
class transaction {
public:
    explicit transaction(database& db) : db_(db) { run("BEGIN IMMEDIATE", "starting a transaction"); }
    ~transaction() {
        if (!done_) db_.exec("ROLLBACK");
    }
    void run(const std::string& sql, const char* doing) {
        const int rc = db_.exec(sql.c_str());
        if (rc != SQLITE_OK) throw factory::error(db_.describe(rc, doing));
    }
    void commit() {
        run("COMMIT", "committing the epoch");
        done_ = true;
    }

private:
    database& db_;
    bool done_ = false;
};

bool exists(database& db, const std::string& name) {
    statement q(db.handle(), "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
    sqlite3_bind_text(q.get(), 1, name.data(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
    return sqlite3_step(q.get()) == SQLITE_ROW;
}

std::int64_t max_rowid(database& db, const std::string& name) {
    if (!exists(db, name)) return 0;
    statement q(db.handle(), "SELECT coalesce(max(rowid), 0) FROM " + quoted(name));
    const int rc = sqlite3_step(q.get());
    if (rc != SQLITE_ROW) throw factory::error(db.describe(rc, "reading the largest rowid of table '" + name + "'"));
    return sqlite3_column_int64(q.get(), 0);
}

void create(transaction& t) {
    t.run(std::string("CREATE TABLE IF NOT EXISTS ") + table +
              " (epoch INTEGER NOT NULL, tbl TEXT NOT NULL, max_rowid INTEGER NOT NULL, run TEXT, committed_at TEXT, "
              "PRIMARY KEY (epoch, tbl))",
          "creating factory_epochs");
}

void record(database& db, std::uint64_t epoch, const std::vector<std::string>& tables, const std::string& run) {
    statement ins(db.handle(), std::string("INSERT INTO ") + table +
                                   " (epoch, tbl, max_rowid, run, committed_at) VALUES (?1, ?2, ?3, ?4, "
                                   "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))");
    for (const std::string& name : tables) {
        sqlite3_bind_int64(ins.get(), 1, static_cast<std::int64_t>(epoch));
        sqlite3_bind_text(ins.get(), 2, name.data(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
        sqlite3_bind_int64(ins.get(), 3, max_rowid(db, name));
        if (run.empty()) sqlite3_bind_null(ins.get(), 4);
        else sqlite3_bind_text(ins.get(), 4, run.data(), static_cast<int>(run.size()), SQLITE_TRANSIENT);
        const int rc = sqlite3_step(ins.get());
        sqlite3_reset(ins.get());
        if (rc != SQLITE_DONE) throw factory::error(db.describe(rc, "recording the epoch in factory_epochs"));
    }
}

} // namespace

void start(database& db, const std::vector<std::string>& tables, const std::string& run) {
    transaction t(db);
    create(t);
    t.run(std::string("DELETE FROM ") + table, "forgetting an earlier job's epochs");
    record(db, 0, tables, run);
    t.commit();
}

void commit(database& db, std::uint64_t epoch, const std::vector<std::string>& tables, const std::string& run) {
    transaction t(db);
    create(t);
    t.run(std::string("DELETE FROM ") + table + " WHERE epoch >= " + std::to_string(epoch),
          "forgetting unconfirmed epochs");
    record(db, epoch, tables, run);
    t.run(std::string("DELETE FROM ") + table + " WHERE epoch NOT IN (SELECT DISTINCT epoch FROM " + table +
              " ORDER BY epoch DESC LIMIT " + std::to_string(kept) + ")",
          "forgetting old epochs");
    t.commit();
}

std::uint64_t resume(database& db, std::uint64_t epoch, const std::vector<std::string>& tables) {
    transaction t(db);
    if (!exists(db, table))
        throw factory::error("sqlite database '" + db.path() + "' has no factory_epochs table: it was not written by a "
                             "job with --checkpoint, so it cannot be returned to a checkpoint; use the job's database, "
                             "or start the job afresh");
    std::map<std::string, std::int64_t> bound;
    {
        statement q(db.handle(), std::string("SELECT tbl, max_rowid FROM ") + table + " WHERE epoch = ?1");
        sqlite3_bind_int64(q.get(), 1, static_cast<std::int64_t>(epoch));
        int rc;
        while ((rc = sqlite3_step(q.get())) == SQLITE_ROW)
            bound[reinterpret_cast<const char*>(sqlite3_column_text(q.get(), 0))] = sqlite3_column_int64(q.get(), 1);
        if (rc != SQLITE_DONE) throw factory::error(db.describe(rc, "reading factory_epochs"));
    }
    if (bound.empty()) {
        std::string held;
        statement q(db.handle(), std::string("SELECT DISTINCT epoch FROM ") + table + " ORDER BY epoch");
        while (sqlite3_step(q.get()) == SQLITE_ROW)
            held += (held.empty() ? "" : ", ") + std::to_string(sqlite3_column_int64(q.get(), 0));
        throw factory::error("sqlite database '" + db.path() + "' has no epoch " + std::to_string(epoch) +
                             " in factory_epochs (it holds " + (held.empty() ? std::string("none") : held) +
                             "): it cannot be returned to that checkpoint; resume from one it holds, or start the "
                             "job afresh");
    }
    std::uint64_t deleted = 0;
    for (const std::string& name : tables) {
        const auto at = bound.find(name);
        if (at == bound.end())
            throw factory::error("sqlite database '" + db.path() + "': factory_epochs does not list table '" + name +
                                 "' at epoch " + std::to_string(epoch) +
                                 " (the blueprint's pclasses changed since the checkpoint); resume with the same "
                                 "blueprint, or start the job afresh");
        if (!exists(db, name)) continue;
        t.run("DELETE FROM " + quoted(name) + " WHERE rowid > " + std::to_string(at->second),
              "deleting the rows written after the checkpoint");
        deleted += static_cast<std::uint64_t>(sqlite3_changes(db.handle()));
    }
    t.run(std::string("DELETE FROM ") + table + " WHERE epoch > " + std::to_string(epoch), "forgetting later epochs");
    t.commit();
    return deleted;
}

} // namespace factory::sqlite::epochs
