// DIR/epoch-K/MANIFEST: what checkpoint K is, written last, so that its presence marks the
// checkpoint complete (store.hpp). JSON, for people and tools; 64-bit hashes (layout, checksums)
// are 16 hex digits in strings, because JSON readers that hold numbers as doubles would round them.
#pragma once

#include "checkpoint/snapshot.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace factory::checkpoint {

struct file_entry {
    std::string name; // relative to the epoch folder: "workshop-0.snap"
    std::uint64_t bytes = 0, checksum = 0, workers = 0;
    bool operator==(const file_entry&) const = default;
};

struct manifest {
    std::uint64_t epoch = 0;
    std::int64_t created_unix_ns = 0;
    std::uint32_t workshops = 0;
    std::string source_name;
    std::string source_settings;   // canonical text of the source's settings, compared on restore
    std::string position_text;     // the position as hex, for people (`checkpoints` shows it)
    std::uint64_t purchased = 0;   // materials purchased before the barrier
    blueprint_identity blueprint;
    bool final = false;            // written as the run ended (a savepoint or the end of input)
    bool end_of_input = false;     // the job's input ended: nothing to resume
    std::vector<std::string> exporters;
    std::vector<file_entry> files; // every snapshot file of this checkpoint, with its checksum

    std::string to_json() const; // pretty, with "format_version": 1
    // Throws checkpoint_error naming the field: "field 'blueprint.layout' is missing", "field
    // 'epoch' is not an unsigned integer", "not JSON (...)", "format version 2, this factory-host
    // reads 1". The caller adds the file's name.
    static manifest from_json(std::string_view text);
};

// "00000000deadbeef" and back (1 to 16 hex digits; false for anything else).
std::string to_hex(std::uint64_t v);
bool from_hex(std::string_view text, std::uint64_t& v);

} // namespace factory::checkpoint
