// `factory-host checkpoints DIR [--json]`: what checkpoints a job's folder holds, and which one a
// run would resume from. Takes no lock (listing a live run's folder is fine: a checkpoint being
// written shows as incomplete) and changes nothing.
#pragma once

#include <filesystem>
#include <ostream>

namespace factory::checkpoint {

// One row per checkpoint, ascending: epoch, time (UTC), purchased, source position (hex,
// shortened), workers per workshop ("3/4/0"), size, complete/incomplete (+ its problem), and
// "(newest usable)" on the one a run would resume from (its files are read to verify them; newer
// complete ones that fail say why). `json`: the same as one JSON document. Returns 0; 2 with a
// message on `err` when DIR does not exist or is not a checkpoint folder (neither a lock file nor
// an epoch-* folder in it).
int list_command(const std::filesystem::path& dir, bool json, std::ostream& out, std::ostream& err);

} // namespace factory::checkpoint
