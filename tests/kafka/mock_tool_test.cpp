// factory-kafka-mock, the tests' Kafka: it prints a loopback bootstrap address, kcat (another
// client, in another process) finds its brokers and topics there, it keeps running with a stdin
// that ends at once (/dev/null), it stops cleanly on SIGTERM, and it refuses bad arguments clearly.
#include "kafka/support/mock_kafka.hpp"
#include "support/child_process.hpp"
#include "support/host_run.hpp"

#include <catch2/catch.hpp>

#include <regex>
#include <set>

using namespace factory::testing;

TEST_CASE("the mock cluster prints its address and kcat lists its brokers and topics there", "[kafka]") {
    mock_kafka kafka({"in:3", "out:1"}, 2);
    const std::string& addr = kafka.brokers();
    INFO(addr);
    // Two brokers, both on loopback.
    REQUIRE(std::regex_match(addr, std::regex(R"(127\.0\.0\.1:[0-9]+,127\.0\.0\.1:[0-9]+)")));
    const std::string first = addr.substr(0, addr.find(','));
    const std::string meta = kcat_metadata(first);
    INFO(meta);
    CHECK(meta.find(" 2 brokers:") != std::string::npos);
    CHECK(meta.find("at " + first) != std::string::npos);
    CHECK(meta.find("topic \"in\" with 3 partitions:") != std::string::npos);
    CHECK(meta.find("topic \"out\" with 1 partitions:") != std::string::npos);
    CHECK(kafka.stop() == 0);
}

TEST_CASE("what kcat produces into the mock cluster, kcat reads back", "[kafka]") {
    mock_kafka kafka({"t:2"});
    kcat_produce(kafka.brokers(), "t", {{"k1", "one"}, {"k2", "two"}, {std::nullopt, "three"}});
    auto got = kcat_consume(kafka.brokers(), "t");
    REQUIRE(got.size() == 3);
    std::multiset<std::string> values;
    int without_key = 0;
    for (const auto& r : got) {
        values.insert(r.value);
        if (!r.key) ++without_key;
    }
    CHECK(values == std::multiset<std::string>{"one", "two", "three"});
    CHECK(without_key == 1);
}

TEST_CASE("the mock tool refuses a bad topic argument, naming it", "[kafka]") {
    auto dir = fresh_dir("mock-args");
    child_process p({FACTORY_KAFKA_MOCK_EXE, "--topic", "in"}, dir / "out", dir / "err");
    CHECK(p.wait(std::chrono::seconds(20)) == 2);
    CHECK(read_text(dir / "err").find("--topic wants NAME:PARTITIONS (1 to 10000), got 'in'") != std::string::npos);
    std::filesystem::remove_all(dir);
}
