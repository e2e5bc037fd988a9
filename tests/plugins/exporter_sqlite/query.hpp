// Reads a database back for the tests with SQLite's C API, independently of the exporter: every
// row of a query as text, each value prefixed by its storage class ("i:5", "t:10.0.0.1", "r:0.5",
// "n:" for NULL), so that a test sees types as well as values.
#pragma once

#include <sqlite3.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace factory::testing {

using rows = std::vector<std::vector<std::string>>;

inline rows query(const std::string& file, const std::string& sql) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        std::string why = db ? sqlite3_errmsg(db) : "?";
        sqlite3_close(db);
        throw std::runtime_error("cannot open " + file + ": " + why);
    }
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
        std::string why = sqlite3_errmsg(db);
        sqlite3_close(db);
        throw std::runtime_error("cannot prepare '" + sql + "': " + why);
    }
    rows out;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        std::vector<std::string> row;
        for (int i = 0; i < sqlite3_column_count(s); ++i) {
            switch (sqlite3_column_type(s, i)) {
            case SQLITE_INTEGER: row.push_back("i:" + std::to_string(sqlite3_column_int64(s, i))); break;
            case SQLITE_FLOAT: row.push_back("r:" + std::to_string(sqlite3_column_double(s, i))); break;
            case SQLITE_NULL: row.push_back("n:"); break;
            default: row.push_back(std::string("t:") + reinterpret_cast<const char*>(sqlite3_column_text(s, i)));
            }
        }
        out.push_back(std::move(row));
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    if (rc != SQLITE_DONE) throw std::runtime_error("query '" + sql + "' failed");
    return out;
}

} // namespace factory::testing
