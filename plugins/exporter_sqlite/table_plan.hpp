// The table of one pclass: its SQL (CREATE TABLE, CREATE INDEX, INSERT) and how each field is
// bound, so that sqlite3 users can query it plainly:
//   u8 u16 u32 i64 bool   INTEGER (bool 0 / 1)
//   u64                   INTEGER; a value above 2^63 - 1 (a hash such as a pid; SQLite's
//                         INTEGER is signed) is stored bit for bit, so it reads back negative:
//                         add 18446744073709551616 for the unsigned value
//   f64                   REAL (NaN as NULL)
//   ipv4, ipv6            TEXT, as <factory/util/render.hpp> writes them: "192.0.2.1", "2001:db8::1";
//                         an ipv6 field holding an IPv4 address (the pclass's u8 field
//                         ip_version says 4: the first 4 bytes; or an IPv4-mapped address) as
//                         "192.0.2.1", so that one query finds an address in either family
//   time_ns               INTEGER nanoseconds since the Unix epoch (time=ns), or TEXT ISO 8601
//                         UTC with milliseconds (time=iso8601)
//   string                TEXT, up to the first NUL
// Columns are named after the fields, in schema order; the table after the pclass. Names are
// quoted, so a field may be named like an SQL keyword.
#pragma once

#include <factory/abi.h>

#include <sqlite3.h>

#include <string>
#include <string_view>
#include <vector>

namespace factory::sqlite {

// The index setting: "a,b+c" -> {{a}, {b, c}} (one index each; '+' joins columns in one index).
// Throws factory::error for an empty or malformed entry.
std::vector<std::vector<std::string>> parse_indexes(std::string_view text);

struct table_plan {
    std::string table;                   // the pclass name
    std::string create_sql;              // CREATE TABLE IF NOT EXISTS ...
    std::vector<std::string> index_sql;  // CREATE INDEX IF NOT EXISTS ... (those whose columns exist)
    std::string insert_sql;              // INSERT INTO ... VALUES (?, ...)
    std::vector<const factory_field*> fields;
    const factory_field* ip_version = nullptr;
    bool iso_times = false;
};

table_plan plan_table(const factory_pclass& pc, const std::vector<std::vector<std::string>>& indexes,
                      bool iso_times);

// Binds `record`'s fields to `insert` (prepared from plan.insert_sql); `scratch` holds text while
// it is bound (reused: no allocation once warm). Returns SQLite's result code.
int bind_record(const table_plan& plan, sqlite3_stmt* insert, const unsigned char* record, std::string& scratch);

// "name" with double quotes doubled, for an identifier.
std::string quoted(std::string_view name);

} // namespace factory::sqlite
