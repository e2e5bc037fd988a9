// Kafka for a test: a mock cluster (factory-kafka-mock, librdkafka's mock in a child process on
// loopback) that lives as long as the object, and kcat as an independent client to produce inputs
// and read outputs back. Every wait has a deadline: a hang fails the test instead of CI.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace factory::testing {

class child_process;

class mock_kafka {
public:
    // Starts a cluster of `brokers` brokers with `topics` ("name:partitions") created, and waits
    // (at most 30 s) for its bootstrap address. Throws std::runtime_error with the tool's stderr.
    explicit mock_kafka(const std::vector<std::string>& topics, int brokers = 1);
    // Stops the cluster (SIGTERM, then SIGKILL after a deadline).
    ~mock_kafka();
    mock_kafka(const mock_kafka&) = delete;
    mock_kafka& operator=(const mock_kafka&) = delete;

    const std::string& brokers() const noexcept { return brokers_; }
    // Every broker down (connections closed, new ones refused) / back up again (SIGUSR1 / SIGUSR2).
    void brokers_down();
    void brokers_up();
    // SIGTERM and the tool's exit code (-1: it had to be killed).
    int stop();

private:
    std::filesystem::path dir_;
    std::unique_ptr<child_process> proc_;
    std::string brokers_;
};

// One message as kcat reads it.
struct kafka_record {
    std::string topic;
    int partition = -1;
    std::int64_t offset = -1;
    std::optional<std::string> key; // nullopt: no key
    std::string value;
};

// kcat -P: produces `messages` (key, value) into `topic`, one message each; keys with no value
// (nullopt) are produced without a key. Values and keys must not hold a newline or a tab.
void kcat_produce(const std::string& brokers, const std::string& topic,
                  const std::vector<std::pair<std::optional<std::string>, std::string>>& messages);

// kcat -C -e: every message of `topic`, read from the beginning to the end of each partition.
std::vector<kafka_record> kcat_consume(const std::string& brokers, const std::string& topic);

// kcat -C -e -f FORMAT: every message of `topic` written by kcat's own format (e.g. "%k %S %h\n").
std::string kcat_format(const std::string& brokers, const std::string& topic, const std::string& format);

// kcat -L: the cluster's metadata as kcat prints it.
std::string kcat_metadata(const std::string& brokers);

} // namespace factory::testing
