// The kafka exporter in real runs of factory-host against a mock Kafka cluster that each case
// starts: kcat, another client, reads back exactly the products the jsonl exporter writes beside
// it, as many as the run counts exported; one topic for every pclass carries the pclass; brokers
// that cannot be reached refuse the run at start, naming them; brokers that go away mid-run make
// the products dead letters with the reason, counted, never lost.
#include "kafka/support/mock_kafka.hpp"
#include "support/host_run.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

using namespace factory::testing;

namespace {

const char* const widget_pclasses[] = {"tcp", "udp", "icmp", "other"};

// Every line of the jsonl exporter's files, by pclass.
std::multiset<std::pair<std::string, std::string>> jsonl_lines(const std::filesystem::path& out) {
    std::multiset<std::pair<std::string, std::string>> lines;
    for (const char* pc : widget_pclasses) {
        std::ifstream in(out / (std::string(pc) + ".jsonl"));
        for (std::string line; std::getline(in, line);) lines.emplace(pc, line);
    }
    return lines;
}

} // namespace

TEST_CASE("kafka exporter: kcat reads back every product, as the jsonl exporter writes it, keyed by pid",
          "[e2e][kafka]") {
    mock_kafka kafka({"factory.tcp:3", "factory.udp:3", "factory.icmp:3", "factory.other:3"});
    auto dir = fresh_dir("kafka-export");
    auto r = run_host({"--source", "synthetic:count=3000,keys=400", "--blueprint", "widget", "--workshops", "2",
                       "--exporter", "kafka:brokers=" + kafka.brokers(), "--exporter", "jsonl:dir=out",
                       "--contract", "1h", "--inspect", "0"},
                      {.timeout = std::chrono::seconds(120), .cwd = dir});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE(r.summary.at("balanced") == true);
    const auto want = jsonl_lines(dir / "out");
    REQUIRE(want.size() == 400); // one product per key

    std::multiset<std::pair<std::string, std::string>> got;
    for (const char* pc : widget_pclasses) {
        for (const auto& m : kcat_consume(kafka.brokers(), std::string("factory.") + pc)) {
            got.emplace(pc, m.value);
            // The records parse, and the key is the pid as decimal text.
            auto j = nlohmann::json::parse(m.value);
            REQUIRE(m.key.has_value());
            CHECK(*m.key == std::to_string(j.at("pid").get<std::uint64_t>()));
        }
    }
    CHECK(got == want);
    const auto& kafka_counts = r.summary.at("exporters").at(0);
    REQUIRE(kafka_counts.at("name") == "kafka");
    CHECK(kafka_counts.at("exported") == got.size());
    CHECK(kafka_counts.at("dead_lettered") == 0);
    std::filesystem::remove_all(dir);
}

TEST_CASE("kafka exporter: without {pclass} one topic takes every pclass, each message naming its own",
          "[e2e][kafka]") {
    mock_kafka kafka({"products:2", "records:2"});
    auto dir = fresh_dir("kafka-one-topic");
    auto r = run_host({"--source", "synthetic:count=2000,keys=300", "--blueprint", "widget", "--exporter",
                       "kafka:brokers=" + kafka.brokers() + ",topic=products", "--exporter",
                       "kafka:brokers=" + kafka.brokers() + ",topic=records,format=binary", "--exporter",
                       "jsonl:dir=out", "--contract", "1h", "--inspect", "0"},
                      {.timeout = std::chrono::seconds(120), .cwd = dir});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto want = jsonl_lines(dir / "out");
    REQUIRE(want.size() == 300);

    // JSON: the "pclass" key first, then the product's fields as the jsonl exporter writes them.
    std::multiset<std::pair<std::string, std::string>> got;
    for (const auto& m : kcat_consume(kafka.brokers(), "products")) {
        auto j = nlohmann::json::parse(m.value);
        const std::string pc = j.at("pclass");
        const std::string prefix = "{\"pclass\":\"" + pc + "\",";
        REQUIRE(m.value.rfind(prefix, 0) == 0);
        got.emplace(pc, "{" + m.value.substr(prefix.size()));
    }
    CHECK(got == want);

    // Binary: the 48-byte widget record, the pclass in a header, keyed by pid.
    std::map<std::string, int> by_pclass;
    std::istringstream in(kcat_format(kafka.brokers(), "records", "%k %S %h\n"));
    std::size_t n = 0;
    for (std::string key, size, header; in >> key >> size >> header; ++n) {
        CHECK(size == "48");
        REQUIRE(header.rfind("pclass=", 0) == 0);
        ++by_pclass[header.substr(7)];
    }
    std::map<std::string, int> want_by_pclass;
    for (const auto& [pc, line] : want) ++want_by_pclass[pc];
    CHECK(by_pclass == want_by_pclass);
    CHECK(n == want.size());
    CHECK(r.summary.at("exporters").at(0).at("exported") == want.size());
    CHECK(r.summary.at("exporters").at(1).at("exported") == want.size());
    std::filesystem::remove_all(dir);
}

TEST_CASE("kafka exporter: brokers that cannot be reached refuse the run at start, naming them", "[e2e][kafka]") {
    auto dir = fresh_dir("kafka-no-broker");
    auto r = run_host({"--source", "synthetic:count=10", "--blueprint", "widget", "--exporter",
                       "kafka:brokers=127.0.0.1:1,connect_timeout=1s"},
                      {.timeout = std::chrono::seconds(60), .cwd = dir});
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("no broker of '127.0.0.1:1' answered within 1000 ms") != std::string::npos);
    CHECK(r.err.find("check the brokers setting") != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("kafka exporter: brokers gone mid-run: the products are retried, then dead-lettered with the reason",
          "[e2e][kafka][faults]") {
    auto kafka = std::make_unique<mock_kafka>(
        std::vector<std::string>{"factory.tcp:1", "factory.udp:1", "factory.icmp:1", "factory.other:1"});
    const std::string brokers = kafka->brokers();
    auto dir = fresh_dir("kafka-gone");
    host_options opt;
    opt.cwd = dir;
    opt.timeout = std::chrono::seconds(120);
    // The cluster stops as soon as the run is under way; every worker is fired at the end (contract
    // 1h), so every product is shipped after that.
    opt.on_output = [&](pid_t, const std::string& err) {
        if (kafka && err.find("running:") != std::string::npos) kafka.reset();
    };
    auto r = run_host({"--source", "synthetic:count=2000,keys=50", "--rate", "1000", "--blueprint", "widget",
                       "--exporter", "kafka:brokers=" + brokers + ",flush_timeout=1s,delivery_timeout=1s", "--contract",
                       "1h", "--inspect", "0", "--export-retries", "1", "--retry-backoff", "100ms", "--dead-letter",
                       "dl"},
                      opt);
    INFO(r.err);
    REQUIRE(kafka == nullptr); // stopped while the run went on
    CHECK(r.exit_code == 1);
    REQUIRE(r.summary.is_object());
    CHECK(r.summary.at("balanced") == true);
    CHECK(r.summary.at("shipped") == 50);
    const auto& x = r.summary.at("exporters").at(0);
    CHECK(x.at("exported") == 0);
    CHECK(x.at("dead_lettered") == 50);
    CHECK(r.summary.at("dead_lettered").at("reasons").at("export_failed") == 50);
    auto dead = read_jsonl(dir / "dl" / "transportation.jsonl");
    REQUIRE(dead.size() == 50);
    const std::string reason = dead.front().at("reason");
    INFO(reason);
    CHECK(reason.find("exporter kafka: still failing after 1 retries: ") == 0);
    CHECK(reason.find("(brokers '" + brokers + "')") != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("kafka exporter: brokers away mid-run and back: the products wait, retried, and are all exported once",
          "[e2e][kafka][faults]") {
    mock_kafka kafka({"factory.tcp:1", "factory.udp:1", "factory.icmp:1", "factory.other:1"});
    auto dir = fresh_dir("kafka-back");
    bool down = false, up = false;
    host_options opt;
    opt.cwd = dir;
    opt.timeout = std::chrono::seconds(180);
    // Down as soon as the run is under way (every product ships at its end, contract 1h); back up
    // once the exporter has answered retry for a flush.
    opt.on_output = [&](pid_t, const std::string& err) {
        if (!down && err.find("running:") != std::string::npos) {
            kafka.brokers_down();
            down = true;
        }
        if (down && !up && err.find("not yet acknowledged") != std::string::npos) {
            kafka.brokers_up();
            up = true;
        }
    };
    auto r = run_host({"--source", "synthetic:count=2000,keys=50", "--rate", "1000", "--blueprint", "widget",
                       "--exporter", "kafka:brokers=" + kafka.brokers() + ",flush_timeout=1s", "--contract", "1h",
                       "--inspect", "0", "--export-retries", "30", "--retry-backoff", "100ms"},
                      opt);
    INFO(r.err);
    REQUIRE(up);
    REQUIRE(r.exit_code == 0);
    const auto& x = r.summary.at("exporters").at(0);
    CHECK(x.at("retries").get<int>() >= 1);
    CHECK(x.at("exported") == 50);
    CHECK(x.at("dead_lettered") == 0);
    // Each product once: the idempotent producer's own retries make no duplicates.
    std::size_t in_kafka = 0;
    for (const char* pc : widget_pclasses) in_kafka += kcat_consume(kafka.brokers(), std::string("factory.") + pc).size();
    CHECK(in_kafka == 50);
    std::filesystem::remove_all(dir);
}
