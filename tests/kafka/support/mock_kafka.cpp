#include "kafka/support/mock_kafka.hpp"

#include "support/child_process.hpp"
#include "support/host_run.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace factory::testing {
namespace {

constexpr auto kcat_limit = std::chrono::seconds(60);

// A folder for one kcat run's files, removed with it.
struct scratch {
    std::filesystem::path dir = fresh_dir("kcat");
    ~scratch() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};

} // namespace

mock_kafka::mock_kafka(const std::vector<std::string>& topics, int brokers) : dir_(fresh_dir("mock-kafka")) {
    std::vector<std::string> argv{FACTORY_KAFKA_MOCK_EXE, "--brokers", std::to_string(brokers)};
    for (const auto& t : topics) {
        argv.push_back("--topic");
        argv.push_back(t);
    }
    proc_ = std::make_unique<child_process>(argv, dir_ / "out", dir_ / "err");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
        std::string out = read_text(dir_ / "out");
        if (auto nl = out.find('\n'); nl != std::string::npos) {
            brokers_ = out.substr(0, nl);
            return;
        }
        if (!proc_->running())
            throw std::runtime_error("factory-kafka-mock ended at start: " + read_text(dir_ / "err"));
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("factory-kafka-mock printed no address within 30 s: " + read_text(dir_ / "err"));
}

mock_kafka::~mock_kafka() {
    stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

void mock_kafka::brokers_down() {
    if (proc_) proc_->signal(SIGUSR1);
}

void mock_kafka::brokers_up() {
    if (proc_) proc_->signal(SIGUSR2);
}

int mock_kafka::stop() {
    if (!proc_) return -1;
    proc_->signal(SIGTERM);
    int rc = proc_->wait(std::chrono::seconds(20));
    proc_.reset();
    return rc;
}

void kcat_produce(const std::string& brokers, const std::string& topic,
                  const std::vector<std::pair<std::optional<std::string>, std::string>>& messages) {
    // Two files: keyed messages through -K, the others without, so a missing key stays missing.
    scratch tmp;
    const std::string stem = (tmp.dir / "produce").string();
    std::ofstream keyed(stem + ".keyed", std::ios::binary), plain(stem + ".plain", std::ios::binary);
    bool any_keyed = false, any_plain = false;
    for (const auto& [key, value] : messages) {
        if (key) {
            keyed << *key << '\t' << value << '\n';
            any_keyed = true;
        } else {
            plain << value << '\n';
            any_plain = true;
        }
    }
    keyed.close();
    plain.close();
    if (any_keyed)
        run_and_read({"kcat", "-b", brokers, "-P", "-t", topic, "-K", "\t", "-l", stem + ".keyed"}, kcat_limit,
                     tmp.dir);
    if (any_plain)
        run_and_read({"kcat", "-b", brokers, "-P", "-t", topic, "-l", stem + ".plain"}, kcat_limit, tmp.dir);
}

std::vector<kafka_record> kcat_consume(const std::string& brokers, const std::string& topic) {
    scratch tmp;
    std::string text = run_and_read({"kcat", "-b", brokers, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-J"},
                                    kcat_limit, tmp.dir);
    std::vector<kafka_record> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.empty()) continue;
        auto j = nlohmann::json::parse(line);
        kafka_record r;
        r.topic = j.at("topic");
        r.partition = j.at("partition");
        r.offset = j.at("offset");
        if (!j.at("key").is_null()) r.key = j.at("key").get<std::string>();
        if (!j.at("payload").is_null()) r.value = j.at("payload").get<std::string>();
        out.push_back(std::move(r));
    }
    return out;
}

std::string kcat_format(const std::string& brokers, const std::string& topic, const std::string& format) {
    scratch tmp;
    return run_and_read({"kcat", "-b", brokers, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", format},
                        kcat_limit, tmp.dir);
}

std::string kcat_metadata(const std::string& brokers) {
    scratch tmp;
    return run_and_read({"kcat", "-b", brokers, "-L"}, kcat_limit, tmp.dir);
}

} // namespace factory::testing
