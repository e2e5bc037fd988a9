// The changelog topic <group>.state as the kafka source uses it under --checkpoint (the format is
// changelog_record.hpp's): a producer that writes one checkpoint's records and waits for all of
// them to be delivered, learning each partition's end; and a reader that reads one partition from
// the range a commit named. Both are clients of their own (not in the group). Their
// callbacks run only inside these calls, on the source's thread.
#pragma once

#include "changelog_record.hpp"

#include "kafka/client.hpp"

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <map>
#include <string>

namespace factory::kafka {

class changelog {
public:
    // Connects, and creates the topic with `partitions` partitions when it does not exist. Throws
    // factory::error naming the topic when it cannot be created, or has fewer partitions.
    changelog(factory::host h, const std::string& brokers, std::string topic, int partitions, std::int64_t timeout_ns);
    ~changelog();
    const std::string& topic() const noexcept { return topic_; }

    // Queues one record (value nullptr: a tombstone) for `partition`.
    void put(std::int32_t partition, std::uint64_t pid, const std::string* value);
    // Waits until every queued record is delivered; returns each partition's end (the offset after
    // its last record) learnt so far. Throws factory::error when a record was not delivered.
    const std::map<std::int32_t, std::int64_t>& flush();
    // After flush(): where the records of that flush begin in each partition it wrote to.
    const std::map<std::int32_t, std::int64_t>& flushed_starts() const noexcept { return flushed_starts_; }

    // The partition's workers of one checkpoint: its records [r.start, r.end), latest per pid.
    changelog_state read(std::int32_t partition, changelog_range r);

private:
    static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque);

    client_context ctx_;
    client producer_;
    client reader_;
    std::string topic_;
    std::int64_t timeout_ms_;
    std::map<std::int32_t, std::int64_t> ends_;
    std::map<std::int32_t, std::int64_t> starts_, flushed_starts_; // this flush's first offsets
    std::string failed_; // the first delivery error since the last flush
};

} // namespace factory::kafka
