// The exporter's topic setting: {pclass} replaced, one topic without it, and illegal names or
// stray braces refused with a message naming the setting.
#include "exporter_kafka/topic_template.hpp"

#include <factory/settings.hpp>

#include <catch2/catch.hpp>

using namespace factory::kafka;

TEST_CASE("the topic template puts the pclass name where {pclass} stands", "[kafka]") {
    CHECK(topic_for("factory.{pclass}", "tcp") == "factory.tcp");
    CHECK(topic_for("{pclass}-{pclass}", "udp") == "udp-udp");
    CHECK(topic_for("products", "tcp") == "products");
    CHECK(per_pclass("factory.{pclass}"));
    CHECK_FALSE(per_pclass("products"));
}

TEST_CASE("a topic template that makes no Kafka topic name is refused, naming the setting", "[kafka]") {
    CHECK_THROWS_WITH(topic_for("factory.{class}", "tcp"),
                      "setting 'topic': 'factory.{class}' has a '{' that is not part of {pclass}, the one placeholder "
                      "a topic may hold");
    CHECK_THROWS_WITH(topic_for("my topic", "tcp"),
                      "setting 'topic': 'my topic' holds ' '; a Kafka topic name holds only a-z A-Z 0-9 . _ -");
    CHECK_THROWS_WITH(topic_for("", "tcp"),
                      "setting 'topic': '' is not a Kafka topic name (1 to 249 characters, not '.' or '..')");
    CHECK_THROWS_WITH(topic_for(std::string(250, 'a'), "tcp"), Catch::Contains("is not a Kafka topic name"));
    CHECK_THROWS_AS(topic_for("..", "tcp"), factory::error);
}
