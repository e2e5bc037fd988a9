// The host services a plugin receives (factory_host in abi.h): logging, the process's clock, the
// "run is ending" flag, and, in a workshop, shipping. One per loaded plugin instance; it must
// outlive the instance (from on_open until on_close returns).
#pragma once

#include <factory/abi.h>

#include <atomic>
#include <cstdint>
#include <string>

namespace factory {

class host_services {
public:
    using ship_fn = int (*)(void* ctx, std::uint64_t pid, std::uint32_t pclass, const void* record,
                            std::uint32_t size);

    // `plugin` prefixes the plugin's log lines. The run is "stopping" when any of the given flags
    // (may be null) is non-zero.
    host_services(std::string plugin, std::uint32_t workshop, const std::atomic<std::uint32_t>* stop_a,
                  const std::atomic<std::uint32_t>* stop_b = nullptr);
    host_services(const host_services&) = delete;
    host_services& operator=(const host_services&) = delete;

    const factory_host* api() const noexcept { return &api_; }

    // The clock host_now_ns reads: a variable the owner keeps current (a workshop's clock), or,
    // when null, the Unix time.
    void use_clock(const std::int64_t* now_ns) noexcept { clock_ = now_ns; }
    // Gives a source the blueprint's material layout (factory_host.material_layout); `layout` must
    // outlive the plugin instance.
    void give_material_layout(const factory_pclass* layout) noexcept { api_.material_layout = layout; }
    // Enables host_ship for a blueprint.
    void enable_shipping(ship_fn fn, void* ctx) noexcept;
    // Enables host_restore_worker, host_release_worker and host_checkpoint_now for a source that
    // keeps its workers' state (their `self` is `ctx`).
    void enable_handover(decltype(factory_host::host_restore_worker) restore,
                         decltype(factory_host::host_release_worker) release,
                         decltype(factory_host::host_checkpoint_now) checkpoint_now, void* ctx) noexcept;

private:
    static void log_line(void* self, std::uint32_t level, const char* message);
    static std::int64_t now(void* self);
    static int stopping(void* self);
    static int restore_worker(void* self, const factory_worker_image* w, factory_error* err);
    static int release_worker(void* self, std::uint64_t pid, factory_error* err);
    static int checkpoint_now(void* self, factory_error* err);
    static int ship(void* self, std::uint64_t pid, std::uint32_t pclass, const void* record, std::uint32_t size);

    factory_host api_{};
    std::string plugin_;
    const std::atomic<std::uint32_t>* stop_a_;
    const std::atomic<std::uint32_t>* stop_b_;
    const std::int64_t* clock_ = nullptr;
    ship_fn ship_ = nullptr;
    void* ship_ctx_ = nullptr;
    decltype(factory_host::host_restore_worker) restore_ = nullptr;
    decltype(factory_host::host_release_worker) release_ = nullptr;
    decltype(factory_host::host_checkpoint_now) checkpoint_now_ = nullptr;
    void* handover_ctx_ = nullptr;
};

} // namespace factory
