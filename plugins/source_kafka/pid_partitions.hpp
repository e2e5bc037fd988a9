// Which input partition each pid came from. A key must always come in the same partition (the
// input is keyed by it, as Kafka Streams requires): its worker's state lives with that partition
// and follows it to whichever run of the group owns it. A pid seen in a second partition breaks
// that; it is counted (and the source logs it, rate-limited), and the pid's partition becomes the
// newer one. Partition numbers, not topics: topics read together are co-partitioned by number.
// One entry per pid ever seen by this run (an allocation per new pid, none per material after).
// Kafka-free, one thread (the source's hooks).
#pragma once

#include <cstdint>
#include <unordered_map>

namespace factory::kafka {

class pid_partitions {
public:
    // The pid's material came from `partition`: true when it came from another one before.
    bool note(std::uint64_t pid, std::int32_t partition) {
        auto [it, fresh] = partition_of_.try_emplace(pid, partition);
        if (fresh || it->second == partition) return false;
        it->second = partition;
        ++moved_;
        return true;
    }
    // The partition a pid last came from, or -1 when it never came.
    std::int32_t partition_of(std::uint64_t pid) const noexcept {
        const auto it = partition_of_.find(pid);
        return it == partition_of_.end() ? -1 : it->second;
    }
    // Calls f(pid, partition) for every pid.
    template <class F>
    void each(F&& f) const {
        for (const auto& [pid, partition] : partition_of_) f(pid, partition);
    }
    // Forgets a pid (its worker went to another run with its partition).
    void forget(std::uint64_t pid) { partition_of_.erase(pid); }
    // Materials whose pid came before from another partition.
    std::uint64_t moved() const noexcept { return moved_; }
    std::size_t size() const noexcept { return partition_of_.size(); }

private:
    std::unordered_map<std::uint64_t, std::int32_t> partition_of_;
    std::uint64_t moved_ = 0;
};

} // namespace factory::kafka
