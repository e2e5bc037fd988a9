#include "kafka/client.hpp"

#include <algorithm>
#include <climits>
#include <cstring>

namespace factory::kafka {
namespace {

client_context& context_of(const rd_kafka_t* rk) {
    return *static_cast<client_context*>(rd_kafka_opaque(rk));
}

// syslog levels, as librdkafka uses them: 0-3 error, 4 warning, 5-6 notice/info, 7 debug.
factory::log_level level_of(int syslog_level) {
    if (syslog_level <= 3) return factory::log_level::error;
    if (syslog_level == 4) return factory::log_level::warn;
    if (syslog_level <= 6) return factory::log_level::info;
    return factory::log_level::debug;
}

void on_log(const rd_kafka_t* rk, int level, const char* facility, const char* text) {
    client_context& ctx = context_of(rk);
    // A connection that fails is also reported through on_error, once per change: its FAIL lines,
    // one per attempt, only at debug.
    if (std::strcmp(facility, "FAIL") == 0) level = 7;
    ctx.host.log(level_of(level), std::string("librdkafka ") + facility + ": " + text);
}

void on_error(rd_kafka_t* rk, int err, const char* reason, void*) {
    context_of(rk).report(err, std::string(rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(err))) + ": " + reason);
}

} // namespace

void client_context::report(int code, const std::string& text) {
    last_error = text;
    if (std::find(logged_codes_.begin(), logged_codes_.end(), code) != logged_codes_.end()) return;
    logged_codes_.push_back(code);
    host.log(factory::log_level::warn, "brokers '" + brokers + "': " + text);
}

void client_context::recover() {
    logged_codes_.clear();
    host.log(factory::log_level::info, "brokers '" + brokers + "' answer again");
}

client::~client() { reset(); }

void client::reset() noexcept {
    if (rk_ != nullptr) rd_kafka_destroy(rk_);
    rk_ = nullptr;
}

std::string ms_text(std::int64_t ns) {
    std::int64_t ms = ns / 1'000'000;
    return std::to_string(std::clamp<std::int64_t>(ms, 1, INT_MAX));
}

void set(rd_kafka_conf_t* conf, const char* property, const std::string& value, const char* setting) {
    char why[512];
    if (rd_kafka_conf_set(conf, property, value.c_str(), why, sizeof why) == RD_KAFKA_CONF_OK) return;
    if (setting != nullptr)
        throw factory::error("setting '" + std::string(setting) + "': '" + value + "' is refused by librdkafka (" +
                             property + "): " + why);
    throw factory::error(std::string("librdkafka property ") + property + "='" + value + "' refused: " + why);
}

rd_kafka_conf_t* new_conf(client_context& ctx) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    try {
        if (ctx.brokers.empty())
            throw factory::error("setting 'brokers' is empty: name the Kafka brokers, host:port[,host:port...]");
        set(conf, "bootstrap.servers", ctx.brokers, "brokers");
        set(conf, "client.id", "factory-host");
        set(conf, "log.queue", "true");
    } catch (...) {
        rd_kafka_conf_destroy(conf);
        throw;
    }
    rd_kafka_conf_set_log_cb(conf, &on_log);
    rd_kafka_conf_set_error_cb(conf, &on_error);
    rd_kafka_conf_set_opaque(conf, &ctx);
    return conf;
}

rd_kafka_t* make_client(rd_kafka_type_t type, rd_kafka_conf_t* conf, client_context&) {
    char why[512];
    rd_kafka_t* rk = rd_kafka_new(type, conf, why, sizeof why);
    if (rk == nullptr) {
        rd_kafka_conf_destroy(conf);
        throw factory::error(std::string("cannot make a Kafka client: ") + why);
    }
    rd_kafka_set_log_queue(rk, nullptr);
    return rk;
}

std::vector<std::string> reach(rd_kafka_t* rk, const client_context& ctx, std::int64_t timeout_ns, bool topics) {
    const rd_kafka_metadata_t* md = nullptr;
    const int ms = std::stoi(ms_text(timeout_ns));
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, topics ? 1 : 0, nullptr, &md, ms);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        throw factory::error("no broker of '" + ctx.brokers + "' answered within " + std::to_string(ms) +
                             " ms (" + rd_kafka_err2str(err) +
                             "): check the brokers setting (host:port of a running Kafka) and that this host can "
                             "reach it; connect_timeout= gives it longer");
    std::vector<std::string> names;
    for (int i = 0; topics && i < md->topic_cnt; ++i)
        if (md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR) names.emplace_back(md->topics[i].topic);
    rd_kafka_metadata_destroy(md);
    return names;
}

} // namespace factory::kafka
