#include "common/host_services.hpp"

#include "common/clock.hpp"
#include "common/log.hpp"

namespace factory {

host_services::host_services(std::string plugin, std::uint32_t workshop,
                             const std::atomic<std::uint32_t>* stop_a,
                             const std::atomic<std::uint32_t>* stop_b)
    : plugin_(std::move(plugin)), stop_a_(stop_a), stop_b_(stop_b) {
    api_.struct_size = sizeof(factory_host);
    api_.workshop = workshop;
    api_.self = this;
    api_.host_log = &log_line;
    api_.host_now_ns = &now;
    api_.host_stopping = &stopping;
    api_.host_ship = nullptr;
    api_.material_layout = nullptr;
}

void host_services::enable_shipping(ship_fn fn, void* ctx) noexcept {
    ship_ = fn;
    ship_ctx_ = ctx;
    api_.host_ship = &ship;
}

void host_services::enable_handover(decltype(factory_host::host_restore_worker) restore,
                                    decltype(factory_host::host_release_worker) release,
                                    decltype(factory_host::host_checkpoint_now) checkpoint_now, void* ctx) noexcept {
    restore_ = restore;
    release_ = release;
    checkpoint_now_ = checkpoint_now;
    handover_ctx_ = ctx;
    api_.host_restore_worker = &restore_worker;
    api_.host_release_worker = &release_worker;
    api_.host_checkpoint_now = &host_services::checkpoint_now;
}

int host_services::restore_worker(void* self, const factory_worker_image* w, factory_error* err) {
    auto* me = static_cast<host_services*>(self);
    return me->restore_(me->handover_ctx_, w, err);
}

int host_services::release_worker(void* self, std::uint64_t pid, factory_error* err) {
    auto* me = static_cast<host_services*>(self);
    return me->release_(me->handover_ctx_, pid, err);
}

int host_services::checkpoint_now(void* self, factory_error* err) {
    auto* me = static_cast<host_services*>(self);
    return me->checkpoint_now_(me->handover_ctx_, err);
}

void host_services::log_line(void* self, std::uint32_t level, const char* message) {
    auto* me = static_cast<host_services*>(self);
    spdlog::level::level_enum lvl = spdlog::level::info;
    switch (level) {
    case FACTORY_LOG_DEBUG: lvl = spdlog::level::debug; break;
    case FACTORY_LOG_WARN: lvl = spdlog::level::warn; break;
    case FACTORY_LOG_ERROR: lvl = spdlog::level::err; break;
    default: break;
    }
    log().log(lvl, "{}: {}", me->plugin_, message != nullptr ? message : "");
}

std::int64_t host_services::now(void* self) {
    auto* me = static_cast<host_services*>(self);
    return me->clock_ != nullptr ? *me->clock_ : unix_ns();
}

int host_services::stopping(void* self) {
    auto* me = static_cast<host_services*>(self);
    auto set = [](const std::atomic<std::uint32_t>* f) {
        return f != nullptr && f->load(std::memory_order_relaxed) != 0;
    };
    return set(me->stop_a_) || set(me->stop_b_) ? 1 : 0;
}

int host_services::ship(void* self, std::uint64_t pid, std::uint32_t pclass, const void* record,
                        std::uint32_t size) {
    auto* me = static_cast<host_services*>(self);
    return me->ship_(me->ship_ctx_, pid, pclass, record, size);
}

} // namespace factory
