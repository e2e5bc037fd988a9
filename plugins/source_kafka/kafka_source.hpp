// The kafka source: the messages of one or several topics, read as a member of a consumer group
// (group=), each message one material (see material_rule.hpp for its pid, time and format).
//
// Group: the range (or roundrobin) assignor, the eager rebalance protocol: not cooperative-sticky,
// whose close before the first assignment can abort and whose rebalances could hang in librdkafka
// 2.0.2 (Debian 12), both fixed only later upstream. enable.auto.commit=false and
// enable.auto.offset.store=false: offsets are committed by this source only. Without --checkpoint:
// at its close after the last fill (a clean end: end of input with idle_end, --duration,
// SIGINT/SIGTERM); a run that crashes commits nothing (at least once). Under --checkpoint the
// workers' state lives in the changelog topic <group>.state (FACTORY_SOURCE_KEEPS_STATE,
// kafka_source_state.cpp): written when a checkpoint completes, then the offsets of that
// checkpoint's position committed with the changelog's end as metadata; read back when the group
// assigns a partition; at a revoke, a checkpoint now, then the partition's workers released.
//
// Keys and partitions: a pid must always come in the same partition; one that comes from a second
// partition is counted and logged (at most one line per 10 s) and processed (pid_partitions.hpp).
//
// Position (checkpoints): the next offset of every assigned partition (partition_table.hpp); a
// seek keeps the offsets and applies them to those partitions when the group assigns them.
//
// End: with idle_end=DUR, the input ends (FACTORY_END) once every assigned partition has been read
// to its end and nothing came for DUR; without it, the run goes on until --duration or a signal.
#pragma once

#include "changelog.hpp"
#include "material_rule.hpp"
#include "partition_table.hpp"
#include "pid_partitions.hpp"

#include "kafka/client.hpp"

#include <factory/source.hpp>

#include <librdkafka/rdkafka.h>

#include <cstddef>
#include <map>
#include <memory>
#include <span>
#include <unordered_set>
#include <string>
#include <vector>

namespace factory::kafka {

class kafka_source : public factory::source {
public:
    static constexpr factory::info info{"kafka", "1.0.0", "messages of Kafka topics, as a member of a consumer group"};
    static constexpr const char* notes =
        "Each message is one material: pid from the message key (digits: the number; else FNV-1a 64) or from\n"
        "JSON field(s) of the value (key=FIELD, the jsonl rule); JSON when the value is one JSON object, else bytes.\n"
        "Consumer group with the range/roundrobin assignor. Without --checkpoint offsets are committed at a clean\n"
        "end (a crash replays from the last commit); with it, the workers' state lives in the topic <group>.state\n"
        "and follows its partition between the runs of the group, committed with each checkpoint. A pid must\n"
        "always come in the same partition (counted and logged otherwise). idle_end=DUR ends the input once drained.";
    static inline const factory::setting settings[] = {
        {"brokers", FACTORY_SETTING_STRING, nullptr, "Kafka bootstrap brokers: host:port[,host:port...]"},
        {"topic", FACTORY_SETTING_STRING, nullptr, "topic(s) to read, comma-separated; each must exist"},
        {"group", FACTORY_SETTING_STRING, "factory",
         "consumer group: runs with the same group share the topics' partitions, and its offsets say where a "
         "new run starts"},
        {"start", FACTORY_SETTING_ENUM, "earliest",
         "where a partition without a committed offset starts: its first message or only new ones", "earliest|latest"},
        {"key", FACTORY_SETTING_STRING, "message",
         "where the pid comes from: message (the message key: digits are the pid, anything else is hashed) or "
         "the JSON field(s) of the value, comma-separated, by the jsonl source's key rule"},
        {"time", FACTORY_SETTING_STRING, "",
         "event time: empty for none (the purchase time), message (the message timestamp) or a numeric JSON "
         "field of the value in time_unit; set: the run uses the material clock unless --clock wall",
         nullptr, FACTORY_SETTING_EVENT_TIME},
        {"time_unit", FACTORY_SETTING_ENUM, "s", "unit of a time field", "s|ms|us|ns"},
        {"format", FACTORY_SETTING_ENUM, "auto",
         "material format: JSON when the value is one JSON object and bytes otherwise (auto), JSON only "
         "(others are dead-lettered), or always bytes", "auto|json|bytes"},
        {"assignor", FACTORY_SETTING_ENUM, "range", "how the group spreads partitions over its members",
         "range|roundrobin"},
        {"idle_end", FACTORY_SETTING_DURATION, "0s",
         "end the input once every assigned partition was read to its end and nothing came for this long; "
         "0: never (until --duration or a signal)"},
        {"connect_timeout", FACTORY_SETTING_DURATION, "10s",
         "at open, how long to wait for a broker to answer before the run is refused"},
        {"session_timeout", FACTORY_SETTING_DURATION, "10s",
         "the group's session timeout: how soon a member that stopped answering loses its partitions"},
    };

    // Under --checkpoint the workers' state lives in the changelog topic <group>.state (below); a
    // run without --checkpoint has no such services (host().keeps_state() is false) and keeps none.
    static constexpr std::uint32_t traits = FACTORY_SOURCE_KEEPS_STATE;

    kafka_source(const factory::settings& s, factory::host h);
    // Commits the offsets of what became materials (see above), leaves the group, closes.
    ~kafka_source();

    factory::fill_result on_fill(factory::filler& f);
    std::size_t on_position(std::span<std::byte> out);
    void on_seek(std::span<const std::byte> position);
    // Checkpoint `epoch` is complete: commits the offsets of its position (see above).
    void on_checkpoint_done(std::uint64_t epoch, std::span<const std::byte> position, factory::worker_walk& workers);

private:
    static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                             void* opaque);
    void rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts);
    // A material or a dead letter of message m; false when the host took nothing (stopping).
    bool take(const rd_kafka_message_t* m, factory::filler& f);
    // A report that is not a message: end of a partition, or an error.
    void event(const rd_kafka_message_t* m);
    // Index of a topic in topics_, or -1.
    int topic_index(const char* name) const noexcept;
    // Commits the table's offsets (waiting commit_wait_ms at most); false when the brokers did not
    // answer.
    bool commit();
    // Commits `offsets` of the partitions this run owns; `what` names the occasion in the log.
    // With `changelog`, each partition's metadata names its changelog end (changelog_record.hpp).
    bool commit(const std::vector<partition_offset>& offsets, const std::string& what, bool changelog = false);
    // Under --checkpoint (known once the host's services are complete, after open): opens the
    // changelog. True when the source keeps its workers' state.
    bool keeping();
    // The assigned partitions' workers at their committed checkpoint, given back to the host from
    // the changelog; `parts` get their committed offsets.
    void restore(rd_kafka_topic_partition_list_t* parts);
    // Before the revoked `parts` go: a checkpoint now (the changelog written, offsets committed),
    // then their workers released.
    void hand_over(const rd_kafka_topic_partition_list_t* parts);
    // Writes the owned partitions' workers of a completed checkpoint (and tombstones) to the
    // changelog and waits for them; throws factory::error when they were not delivered.
    void save(factory::worker_walk& workers);
    // At the close after the end of input (the workers were fired): tombstones for every worker
    // the changelog holds for this run's partitions, and the offsets where reading stands.
    void retire();
    // The index of the first topic whose `partition` this run owns, or -1.
    int owner_topic(std::int32_t partition) noexcept;
    // The pid of a material from `partition`: counts and logs (rate-limited) a pid from a second one.
    void note_partition(std::uint64_t pid, std::int32_t partition);

    client_context ctx_;
    client rk_;
    std::vector<std::string> topics_;
    std::uint64_t fingerprint_;
    std::string group_;
    material_rule rule_;
    partition_table table_;
    std::vector<partition_offset> seek_; // from on_seek: applied as the group assigns partitions
    rd_kafka_message_t* pending_ = nullptr; // taken from the consumer, not yet a material (the host was stopping)
    std::int64_t idle_end_ns_;
    std::int64_t last_message_ns_ = 0; // steady clock; 0: none yet
    const rd_kafka_topic_t* last_rkt_ = nullptr;
    int last_topic_ = -1;
    std::string fatal_; // an error that ends the run, found in a callback; thrown from on_fill
    pid_partitions pid_partitions_;
    std::uint64_t moved_logged_ = 0;  // pid_partitions_.moved() at the last log line
    std::int64_t moved_log_ns_ = 0;   // steady clock of that line
    // Under --checkpoint: the changelog, each owned partition's changelog end, and the pids with a
    // live record there (restored, or written at a checkpoint): those that go get a tombstone.
    std::int64_t connect_timeout_ns_;
    bool keep_checked_ = false;
    bool closing_ = false;
    bool ended_ = false; // on_fill said FACTORY_END: the host fires every worker at the final barrier
    std::unique_ptr<changelog> changelog_;
    std::map<std::int32_t, std::int64_t> changelog_end_;
    // Where the last checkpoint's records begin in each changelog partition (its commit names
    // [start, end): changelog_record.hpp).
    std::map<std::int32_t, std::int64_t> changelog_start_;
    void note_flushed(const std::map<std::int32_t, std::int64_t>& ends);
    std::map<std::int32_t, std::unordered_set<std::uint64_t>> written_;
};

} // namespace factory::kafka
