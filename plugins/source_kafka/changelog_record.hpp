// The changelog topic's records (<group>.state, Kafka Streams' changelog idea): the workers of the
// partitions a run owns, written at each completed checkpoint, read back by the run the group
// gives those partitions next. One record per worker, in the changelog partition with the number
// of the input partition its pid comes from:
//   key   the pid in decimal (kcat shows it as it is);
//   value 'F' 'W' 1 (version), then little-endian hired_ns i64, last_seen_ns i64, materials u32,
//         state size u32, topic length u16, the input topic's name, the state bytes;
//         no value (a tombstone): the pid is no longer a worker (fired) since its last record.
// And the input offsets' commit metadata, "changelog=<start>-<end>": where the committed
// checkpoint's records lie in the changelog partition (changelog_range below).
// Kafka-free; decoding throws factory::error saying what is wrong.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace factory::kafka {

struct changelog_worker {
    std::int64_t hired_ns = 0;
    std::int64_t last_seen_ns = 0;
    std::uint32_t materials = 0;
    std::string topic;
    std::string state; // the blueprint's state bytes
    bool operator==(const changelog_worker&) const = default;
};

std::string changelog_key(std::uint64_t pid);
// The pid of a record key; throws when the key is not a decimal pid.
std::uint64_t changelog_pid(std::string_view key);

std::string encode_changelog_value(const changelog_worker& w);
changelog_worker decode_changelog_value(std::string_view value);

// The changelog records of one committed checkpoint: [start, end) of its changelog partition. Every
// checkpoint writes every worker its run owns there, so that range alone is the partition's state;
// records outside it (a checkpoint whose commit was refused, a run that lost the partition while
// it wrote) are never read back.
struct changelog_range {
    std::int64_t start = 0, end = -1; // end -1: none named
};
std::string commit_metadata(changelog_range r); // "changelog=<start>-<end>"
// The range a commit's metadata names ("changelog=<end>" alone: from 0), or end -1 when it names
// none (a commit made without a changelog: the group's first run, or a run without --checkpoint).
changelog_range changelog_range_of(std::string_view metadata) noexcept;

// A committed range of a changelog partition, read: the latest record of each pid wins, a tombstone
// removes it. What is left is the partition's state at the committed checkpoint.
class changelog_state {
public:
    // A record, in offset order. `value` nullopt: a tombstone. Throws on a record it cannot read.
    void apply(std::string_view key, const std::optional<std::string_view>& value);
    const std::unordered_map<std::uint64_t, changelog_worker>& workers() const noexcept { return workers_; }

private:
    std::unordered_map<std::uint64_t, changelog_worker> workers_;
};

} // namespace factory::kafka
