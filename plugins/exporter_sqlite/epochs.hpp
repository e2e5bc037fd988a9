// The sqlite exporter's epochs under --checkpoint: the table factory_epochs holds, for each of the
// last 8 epochs committed and each pclass table, the largest rowid the table had then
// (factory_epochs(epoch, tbl, max_rowid, run, committed_at); 0 for a table that was empty or not
// there yet). A job that resumes from epoch k deletes every row above its table's max_rowid at k:
// the rows exported after checkpoint k, which the replay exports again.
//
// Each epoch is recorded in a transaction of its own, right after the batches before it were
// committed (each batch is its own transaction, and on_commit comes after every batch before the
// checkpoint and before any batch after it). That is exact: this exporter is the file's only
// writer (its lock), rowids only grow (SQLite gives max(rowid) + 1), so the largest rowids read in
// that transaction are precisely the boundary between the two sides of the checkpoint. A crash
// between the last batch and the epoch's transaction leaves epoch k unrecorded; on_commit then
// never returned, so the host never completed checkpoint k and resumes from an earlier one.
#pragma once

#include "database.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace factory::sqlite::epochs {

inline constexpr const char* table = "factory_epochs";
inline constexpr std::size_t kept = 8;

// A job starts: forgets the epochs of an earlier job and records what the tables hold now as epoch 0.
void start(database& db, const std::vector<std::string>& tables, const std::string& run);
// Everything committed so far is epoch `epoch`: records it, forgets any epoch >= it recorded before
// (a crash left it unconfirmed) and all but the last `kept`.
void commit(database& db, std::uint64_t epoch, const std::vector<std::string>& tables, const std::string& run);
// A job resumes from `epoch`: deletes the rows written after it and the later epochs; returns how
// many rows it deleted. Throws factory::error when the database has no such epoch or it does not
// list one of `tables`.
std::uint64_t resume(database& db, std::uint64_t epoch, const std::vector<std::string>& tables);

} // namespace factory::sqlite::epochs
