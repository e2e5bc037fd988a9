#include "transportation/exporter_instance.hpp"

#include "plugins/settings_block.hpp"
#include "plugins/loader.hpp"

#include <stdexcept>

namespace factory::transportation {

exporter_instance::exporter_instance(const plugin_choice& choice, const factory_export_info& info,
                                     const std::atomic<std::uint32_t>* abort_flag, std::int64_t hang_limit_ns,
                                     shm::counter* heartbeat)
    : name_(choice.name), services_(std::make_unique<host_services>("exporter " + choice.name, 0, abort_flag)),
      watch_(choice.name, hang_limit_ns, heartbeat) {
    auto p = plugins::load_file(choice.file);
    if (p.descriptor->exporter == nullptr)
        throw std::runtime_error(choice.file + " is not an exporter plugin");
    hooks_ = p.descriptor->exporter;
    plugins::settings_block settings(choice.settings);
    factory_error err{};
    if (hooks_->on_open(services_->api(), settings.get(), &info, &instance_, &err) != FACTORY_OK)
        throw std::runtime_error("exporter " + choice.name + " (" + choice.file + "): init failed: " +
                                 (err.message[0] != '\0' ? err.message : "no reason given"));
}

exporter_instance::~exporter_instance() { close(); }

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

} // namespace

int exporter_instance::export_batch(const factory_batch* b, factory_error* err) noexcept {
    export_call c{hooks_, instance_, b};
    return watch_.run(&call_export, &c, err, "on_export");
}

int exporter_instance::flush(factory_error* err) noexcept {
    if (hooks_->on_flush == nullptr) return FACTORY_OK;
    export_call c{hooks_, instance_, nullptr};
    return watch_.run(&call_flush, &c, err, "on_flush");
}

void exporter_instance::close() noexcept {
    if (instance_ != nullptr && !watch_.stuck()) {
        hooks_->on_close(instance_);
        instance_ = nullptr;
    }
}

} // namespace factory::transportation
