// The kafka exporter: every product as one Kafka message, key = its pid as decimal text, value =
// the product as a JSON object (as the jsonl exporter writes it, <factory/util/render.hpp>) or its
// record's bytes, into the topic its pclass names (the topic setting, "factory.{pclass}").
//
// An idempotent producer (enable.idempotence: no duplicate and no reordering from librdkafka's own
// retries). A product counts as exported only when its delivery report says the brokers have it:
// on_export hands the batch to the producer, on_flush waits for the reports (flush_timeout at
// most) and answers ok when every product of the round has been acknowledged, retry when some are
// still on their way or failed (those are sent again at the next flush), error when the brokers
// refused some for good: the host's retry and dead-letter rules apply as to every exporter.
// Products that the host dead-letters after the brokers took them (a round that failed partly)
// are in both places: at least once, never lost. There is no on_commit: what Kafka acknowledged
// cannot be taken back, so under --checkpoint this exporter is at least once on replay.
#pragma once

#include "delivery_round.hpp"

#include "kafka/client.hpp"

#include <factory/exporter.hpp>
#include <factory/util/render.hpp>

#include <librdkafka/rdkafka.h>

#include <string>
#include <vector>

namespace factory::kafka {

class kafka_exporter : public factory::exporter {
public:
    static constexpr factory::info info{"kafka", "1.0.0",
                                        "products to Kafka, a topic per pclass; exported once the brokers acknowledge"};
    static constexpr const char* notes =
        "Key: the pid as decimal text. Value: the product as JSON (format=jsonl) or its record's bytes (binary,\n"
        "laid out as its pclass: see `factory-host plugins BLUEPRINT`). Message time: the product's time.\n"
        "Idempotent producer; partitioner murmur2_random (as Kafka's Java clients: a pid's products share a\n"
        "partition). Exported = acknowledged by the brokers; at least once (a failed round is dead-lettered\n"
        "whole, also what the brokers took; no on_commit: under --checkpoint, at least once on replay).";
    static inline const factory::setting settings[] = {
        {"brokers", FACTORY_SETTING_STRING, nullptr, "Kafka bootstrap brokers: host:port[,host:port...]"},
        {"topic", FACTORY_SETTING_STRING, "factory.{pclass}",
         "topic of a product; {pclass} stands for its pclass name. Without {pclass}, one topic takes every "
         "pclass and each message carries a 'pclass' header (format=jsonl: also a \"pclass\" key first)"},
        {"format", FACTORY_SETTING_ENUM, "jsonl",
         "message value: the product as one JSON object, or its record's bytes as its pclass lays them out",
         "jsonl|binary"},
        {"time", FACTORY_SETTING_ENUM, "ns", "format=jsonl: time_ns fields as integer ns or ISO 8601 UTC text",
         "ns|iso8601"},
        {"compression", FACTORY_SETTING_ENUM, "none", "compression of message batches", "none|gzip|snappy|lz4|zstd"},
        {"linger", FACTORY_SETTING_DURATION, "5ms", "how long the producer gathers messages into one request"},
        {"connect_timeout", FACTORY_SETTING_DURATION, "10s",
         "at open, how long to wait for a broker to answer before the run is refused"},
        {"flush_timeout", FACTORY_SETTING_DURATION, "10s",
         "how long a flush waits for acknowledgements before it answers retry; keep it below --hang-timeout"},
        {"delivery_timeout", FACTORY_SETTING_DURATION, "30s",
         "how long librdkafka tries to deliver one message (message.timeout.ms) before it reports it failed"},
    };

    kafka_exporter(const factory::settings& s, factory::host h, const factory::export_info& info);
    // Waits up to flush_timeout for what is still in flight, then closes the producer.
    ~kafka_exporter();

    factory::export_result on_export(const factory::batch& b);
    factory::export_result on_flush();

private:
    static void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* m, void* opaque);
    // Hands message i of the round to the producer; a failure to queue it is recorded in the round
    // (it is sent again at the next flush). `patient`: wait for room when the local queue is full.
    void send(std::uint32_t i, bool& patient);
    factory::export_result answer_incomplete();

    client_context ctx_;
    client rk_;
    std::vector<rd_kafka_topic_t*> topics_; // by pclass (all the same topic when shared_)
    std::vector<std::string> topic_names_;  // by pclass
    std::vector<std::string> prefixes_;     // shared_ and jsonl: {"pclass":"<name>" by pclass
    std::vector<const char*> pclass_names_;
    bool shared_ = false;
    bool binary_ = false;
    render::options render_;
    int flush_timeout_ms_;
    delivery_round round_;
    bool flush_failed_ = false; // the last flush did not answer ok: an on_export now means the host gave up
};

} // namespace factory::kafka
