#include "database.hpp"

#include <factory/settings.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace factory::sqlite {

outcome classify(int rc) noexcept {
    switch (rc & 0xff) {
    case SQLITE_OK: case SQLITE_DONE: case SQLITE_ROW: return outcome::ok;
    case SQLITE_BUSY: case SQLITE_LOCKED: case SQLITE_FULL: case SQLITE_READONLY: case SQLITE_IOERR:
    case SQLITE_CANTOPEN: case SQLITE_NOMEM: case SQLITE_PROTOCOL: case SQLITE_NOLFS: case SQLITE_PERM:
        return outcome::retry;
    default: return outcome::error;
    }
}

const char* advice(int rc) noexcept {
    switch (rc & 0xff) {
    case SQLITE_BUSY: case SQLITE_LOCKED:
        return "another connection holds the write lock; it is tried again (raise busy_timeout to wait longer)";
    case SQLITE_FULL: return "the disk is full; free space and it is tried again";
    case SQLITE_READONLY: case SQLITE_PERM:
        return "the file or its folder is not writable; fix the permissions and it is tried again";
    case SQLITE_IOERR: case SQLITE_CANTOPEN: return "an I/O error; check the disk and it is tried again";
    case SQLITE_CORRUPT: case SQLITE_NOTADB: return "the file is not a usable SQLite database; use another file";
    default: return "";
    }
}

database::database(const std::string& path, const options& o, std::string& wal_note)
    : path_(path) {
    // SQLite would create the file with 0644 less the umask; products may be private, so the file
    // is made owner-only first. Its -wal and -shm files take the same mode from it.
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        throw factory::error("setting 'file': cannot open or create '" + path + "': " + std::strerror(errno));
    ::close(fd);
    int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        std::string why = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close(db_);
        db_ = nullptr;
        throw factory::error("setting 'file': cannot open '" + path + "' as an SQLite database: " + why);
    }
    try {
        configure(o, wal_note);
    } catch (...) {
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw;
    }
}

void database::configure(const options& o, std::string& wal_note) {
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, o.busy_timeout_ms);
    {
        sqlite3_stmt* raw = nullptr;
        int rc = sqlite3_prepare_v2(db_, "PRAGMA journal_mode=WAL", -1, &raw, nullptr);
        statement mode(raw);
        if (rc == SQLITE_OK) rc = sqlite3_step(raw);
        if (rc != SQLITE_ROW) throw factory::error("setting 'file': " + describe(rc, "setting WAL mode"));
        const char* got = reinterpret_cast<const char*>(sqlite3_column_text(mode.get(), 0));
        if (got == nullptr || std::strcmp(got, "wal") != 0)
            wal_note = "'" + path_ + "' stays in journal mode " + (got != nullptr ? got : "?") +
                       ": this file system does not allow WAL";
    }
    const char* sync_sql = o.sync == sync_mode::off    ? "PRAGMA synchronous=OFF"
                           : o.sync == sync_mode::full ? "PRAGMA synchronous=FULL"
                                                       : "PRAGMA synchronous=NORMAL";
    exec_or_throw(sync_sql);
    // A negative cache_size is in KiB.
    if (o.cache_bytes > 0) exec_or_throw("PRAGMA cache_size=-" + std::to_string(std::max<std::uint64_t>(o.cache_bytes / 1024, 1)));
}

database::~database() {
    if (db_ != nullptr) sqlite3_close_v2(db_);
}

int database::exec(const char* sql) noexcept { return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr); }

void database::exec_or_throw(const std::string& sql) {
    int rc = exec(sql.c_str());
    if (rc != SQLITE_OK) throw factory::error(describe(rc, sql));
}

std::string database::describe(int rc, std::string_view doing) const {
    std::string text = "sqlite database '" + path_ + "': " + std::string(doing) + ": " +
                       (db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    const char* hint = advice(rc);
    if (*hint != '\0') text += std::string(" (") + hint + ")";
    return text;
}

statement::statement(sqlite3* db, const std::string& sql) {
    int rc = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &s_, nullptr);
    if (rc != SQLITE_OK) {
        std::string why = sqlite3_errmsg(db);
        sqlite3_finalize(s_);
        s_ = nullptr;
        throw factory::error("sqlite: cannot prepare '" + sql + "': " + why);
    }
}

statement::~statement() { sqlite3_finalize(s_); }

statement& statement::operator=(statement&& o) noexcept {
    if (this != &o) {
        sqlite3_finalize(s_);
        s_ = o.s_;
        o.s_ = nullptr;
    }
    return *this;
}

} // namespace factory::sqlite
