// The partitions the consumer group gave this source, each with the offset of the next message to
// take (just after the last one that became a material or a dead letter) and whether it has been
// read to its end. Its position (the source's on_position) is those offsets, serialised compactly:
//   'K', version 1, FNV-1a 64 of the topic setting's names joined by ',' (8 bytes, little-endian),
//   then a varint count and per partition three varints: topic (its index in the topic setting),
//   partition, next offset. Partitions whose next offset is not known yet (assigned, nothing read)
//   are left out: they resume from the group's committed offset.
// Kafka-free, one thread (the source's hooks).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace factory::kafka {

struct partition_offset {
    std::uint32_t topic = 0;  // index in the topic setting
    std::int32_t partition = 0;
    std::int64_t next = -1;   // the next offset to take; -1: not known
    bool operator==(const partition_offset&) const = default;
};

class partition_table {
public:
    struct entry {
        partition_offset at;
        bool at_end = false; // read to its end (the last report from it was end of partition)
    };

    // `next` -1: not known (the group's committed offset or start= decides).
    void assign(std::uint32_t topic, std::int32_t partition, std::int64_t next);
    void revoke(std::uint32_t topic, std::int32_t partition) noexcept;
    void clear() noexcept { entries_.clear(); }

    // The entry of a partition, or nullptr when it is not assigned. Constant time for the partition
    // of the previous call (messages come in runs of one partition).
    entry* find(std::uint32_t topic, std::int32_t partition) noexcept;

    bool empty() const noexcept { return entries_.empty(); }
    bool all_at_end() const noexcept;
    const std::vector<entry>& entries() const noexcept { return entries_; }

private:
    std::vector<entry> entries_;
    std::size_t last_ = 0;
};

// FNV-1a 64 of the names joined by ',': what a position is bound to.
std::uint64_t topics_fingerprint(const std::vector<std::string>& topics) noexcept;

// Writes the position of `table` into `out`; returns its size. Throws factory::error when it
// does not fit (naming both sizes).
std::size_t encode_position(const partition_table& table, std::uint64_t fingerprint, std::span<std::byte> out);

// Reads a position back. Throws factory::error saying what is wrong: not a kafka source position,
// written for other topics (another topic setting), a topic index beyond `topic_count`, or cut short.
std::vector<partition_offset> decode_position(std::span<const std::byte> in, std::uint64_t fingerprint,
                                              std::size_t topic_count);

} // namespace factory::kafka
