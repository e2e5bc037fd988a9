// librdkafka glue shared by the kafka source and exporter: a client handle made from the plugin's
// settings, its log lines and errors through the host's logger, and the check at open that the
// brokers answer (so a wrong address is refused at start, naming it, instead of a run that waits).
//
// Thread rules: librdkafka runs threads of its own, but with log.queue and the error callback its
// logs and errors wait in the client's main queue until the plugin polls it (rd_kafka_poll,
// rd_kafka_consumer_poll, rd_kafka_flush), which it does only inside its hooks: so the callbacks
// run on the hook's thread, where the host's services may be used.
#pragma once

#include <factory/plugin.hpp>

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace factory::kafka {

// What every callback of one client reaches through rd_kafka_opaque(). Lives as long as the client.
class client_context {
public:
    client_context(factory::host h, std::string brokers_, void* owner_)
        : host(h), brokers(std::move(brokers_)), owner(owner_) {}
    factory::host host;
    std::string brokers;    // the brokers setting, as given
    void* owner = nullptr;  // the plugin object, for its own callbacks (delivery reports, rebalances)
    std::string last_error; // the last client error reported

    // Logs a client error, once per kind of error until recovered(): a broker that stays away
    // makes librdkafka report two or three errors again at every reconnect attempt.
    void report(int code, const std::string& text);
    // The brokers answered again (a message came, a flush went through): logs that once after
    // errors, and lets the next outage be reported afresh.
    void recovered() {
        if (!logged_codes_.empty()) recover();
    }

private:
    void recover();
    std::vector<int> logged_codes_;
};

// Owns one rd_kafka_t; destroys it (rd_kafka_destroy waits for librdkafka's threads).
class client {
public:
    client() = default;
    explicit client(rd_kafka_t* rk) noexcept : rk_(rk) {}
    ~client();
    client(const client&) = delete;
    client& operator=(const client&) = delete;
    rd_kafka_t* get() const noexcept { return rk_; }
    // Takes `rk` over (destroying the handle held before, if any).
    void adopt(rd_kafka_t* rk) noexcept {
        reset();
        rk_ = rk;
    }
    // Destroys the handle now (before the objects its callbacks reach go away).
    void reset() noexcept;
    // Gives the handle up to the caller (to destroy it with flags of its own).
    rd_kafka_t* release() noexcept {
        rd_kafka_t* rk = rk_;
        rk_ = nullptr;
        return rk;
    }

private:
    rd_kafka_t* rk_ = nullptr;
};

// A configuration with what both plugins set: bootstrap.servers, client.id, the log queue and the
// log and error callbacks, `ctx` as the opaque. Throws factory::error naming the brokers setting
// when librdkafka refuses it.
rd_kafka_conf_t* new_conf(client_context& ctx);

// Sets one librdkafka property; throws factory::error (after destroying nothing: the caller owns
// `conf`) naming `setting`, the plugin setting it came from, or the property when it came from none.
void set(rd_kafka_conf_t* conf, const char* property, const std::string& value, const char* setting = nullptr);

// rd_kafka_new() with `conf` (taken over, also on failure), and its log lines routed to the main
// queue. Throws factory::error with librdkafka's reason.
rd_kafka_t* make_client(rd_kafka_type_t type, rd_kafka_conf_t* conf, client_context& ctx);

// Asks the brokers for their metadata, waiting at most timeout_ns; throws factory::error naming
// the brokers and saying what to check when none answered. With `topics`, returns the names of
// every topic the cluster has; otherwise an empty list.
std::vector<std::string> reach(rd_kafka_t* rk, const client_context& ctx, std::int64_t timeout_ns, bool topics);

// Milliseconds for a librdkafka property, from a duration in ns: at least 1, at most INT32_MAX.
std::string ms_text(std::int64_t ns);

} // namespace factory::kafka
