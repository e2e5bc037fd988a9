#include "transportation/exporter_instance.hpp"

#include "common/log.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace factory::transportation {

exporter_instance::exporter_instance(const plugin_choice& choice, const factory_export_info& info,
                                     const std::atomic<std::uint32_t>* abort_flag, std::int64_t hang_limit_ns,
                                     shm::counter* heartbeat, export_checkpoints checkpoints)
    : name_(choice.name), services_(std::make_unique<host_services>("exporter " + choice.name, 0, abort_flag)),
      plugin_(choice,
              [&](const factory_exporter_hooks* h, const factory_settings* s, void** handle, factory_error* err) {
                  factory_export_info with = info;
                  with.flags = checkpoints.flags;
                  with.resume_epoch = (checkpoints.flags & FACTORY_EXPORT_RESUME) != 0 ? checkpoints.resume_epoch : 0;
                  return h->on_open(services_->api(), s, &with, handle, err);
              }),
      watch_(choice.name, hang_limit_ns, heartbeat) {}

namespace {

struct export_call {
    const factory_exporter_hooks* hooks;
    void* instance;
    const factory_batch* batch;
};

int call_export(void* ctx, factory_error* err) {
    auto* c = static_cast<export_call*>(ctx);
    return c->hooks->on_export(c->instance, c->batch, err);
}

int call_flush(void* ctx, factory_error* err) {
    auto* c = static_cast<export_call*>(ctx);
    return c->hooks->on_flush(c->instance, err);
}

struct durable_call {
    const factory_exporter_hooks* hooks;
    void* instance;
    std::uint64_t* count;
};

int call_durable(void* ctx, factory_error* err) {
    auto* c = static_cast<durable_call*>(ctx);
    return c->hooks->on_durable(c->instance, c->count, err);
}

struct commit_call {
    const factory_exporter_hooks* hooks;
    void* instance;
    std::uint64_t epoch;
};

int call_commit(void* ctx, factory_error* err) {
    auto* c = static_cast<commit_call*>(ctx);
    return c->hooks->on_commit(c->instance, c->epoch, err);
}

} // namespace

int exporter_instance::commit(std::uint64_t epoch, factory_error* err) noexcept {
    if (!commits() || plugin_.handle() == nullptr) {
        if (err != nullptr)
            std::snprintf(err->message, sizeof err->message, "exporter %s does not commit epochs (no on_commit)",
                          name_.c_str());
        return FACTORY_ERROR;
    }
    commit_call c{&plugin_.hooks(), plugin_.handle(), epoch};
    return watch_.run(&call_commit, &c, err, "on_commit");
}

int exporter_instance::export_batch(const factory_batch* b, factory_error* err) noexcept {
    export_call c{&plugin_.hooks(), plugin_.handle(), b};
    return watch_.run(&call_export, &c, err, "on_export");
}

int exporter_instance::flush(factory_error* err) noexcept {
    if (plugin_.hooks().on_flush == nullptr) return FACTORY_OK;
    export_call c{&plugin_.hooks(), plugin_.handle(), nullptr};
    return watch_.run(&call_flush, &c, err, "on_flush");
}

void exporter_instance::close() noexcept {
    if (watch_.stuck()) plugin_.abandon();
    plugin_.close();
}

bool exporter_instance::durable_count(std::uint64_t& count, std::string& why) noexcept {
    why.clear();
    if (plugin_.hooks().on_durable == nullptr || plugin_.handle() == nullptr) return false;
    factory_error err{};
    count = 0;
    durable_call c{&plugin_.hooks(), plugin_.handle(), &count};
    if (watch_.run(&call_durable, &c, &err, "on_durable") == FACTORY_OK) return true;
    why = err.message[0] != '\0' ? err.message : "no reason given";
    return false;
}

std::uint64_t take_back_durable(exporter_instance& e, shm::exporter_stats& counts) {
    std::uint64_t durable = 0;
    std::string why;
    if (!e.durable_count(durable, why)) {
        if (!why.empty())
            log().warn("exporter {}: cannot say how many products it kept in this run ({}); those a dead "
                       "transportation process had taken stay counted lost", e.name(), why);
        return 0;
    }
    const std::uint64_t exported = counts.exported.get(), lost = counts.lost.get();
    if (durable <= exported || lost == 0) return 0;
    // The host set lost = taken - exported - dead_lettered at the death; a later death sets it
    // again from the same formula, so moving n here keeps both counts right even if this process
    // dies between the two stores.
    const std::uint64_t n = std::min(durable - exported, lost);
    counts.exported.add(n);
    counts.lost.set(lost - n);
    log().info("exporter {}: {} products counted lost when transportation died had been committed; counted "
               "exported", e.name(), n);
    return n;
}

} // namespace factory::transportation
