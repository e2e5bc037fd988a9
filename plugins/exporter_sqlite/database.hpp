// A SQLite database file for the sqlite exporter: opened (and created owner-only, mode 0600,
// when missing) in WAL mode, with a busy timeout, and SQLite's result codes sorted into what
// the exporter answers: retry for what may pass (another writer holds the lock, disk full,
// read-only file, I/O error) and error for what will not (a corrupt file, a bad statement).
// Use from one thread.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace factory::sqlite {

enum class outcome { ok, retry, error };

// How the exporter answers SQLite result code `rc` (extended codes are reduced to primary ones).
outcome classify(int rc) noexcept;

// A hint for the user after SQLite's own message, by result code ("" when there is none).
const char* advice(int rc) noexcept;

enum class sync_mode { off, normal, full };

class database {
public:
    struct options {
        sync_mode sync = sync_mode::normal;
        int busy_timeout_ms = 1000;      // how long to wait for another connection's lock
        std::uint64_t cache_bytes = 0;   // page cache; 0: SQLite's default
    };
    // Opens `path` read-write, creating it with mode 0600 when missing; sets WAL mode (a warning
    // in `wal_note` when the file system does not allow it) and the options. Throws
    // factory::error naming the file.
    database(const std::string& path, const options& o, std::string& wal_note);
    ~database();
    database(const database&) = delete;
    database& operator=(const database&) = delete;

    sqlite3* handle() const noexcept { return db_; }
    const std::string& path() const noexcept { return path_; }

    // Runs SQL without results; returns SQLite's result code.
    int exec(const char* sql) noexcept;
    // Runs SQL or throws factory::error with what failed.
    void exec_or_throw(const std::string& sql);

    // "sqlite database 'x.db': <SQLite's message> (<advice>)" for the last failure with code rc.
    std::string describe(int rc, std::string_view doing) const;

private:
    void configure(const options& o, std::string& wal_note);

    sqlite3* db_ = nullptr;
    std::string path_;
};

// A prepared statement, finalized at destruction.
class statement {
public:
    statement() = default;
    statement(sqlite3* db, const std::string& sql); // throws factory::error
    explicit statement(sqlite3_stmt* adopted) noexcept : s_(adopted) {}
    ~statement();
    statement(statement&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
    statement& operator=(statement&& o) noexcept;
    statement(const statement&) = delete;
    statement& operator=(const statement&) = delete;

    sqlite3_stmt* get() const noexcept { return s_; }
    explicit operator bool() const noexcept { return s_ != nullptr; }

private:
    sqlite3_stmt* s_ = nullptr;
};

} // namespace factory::sqlite
