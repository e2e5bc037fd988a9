// The blueprint plugin as a workshop holds it: loaded in this process, opened with its checked
// settings, its hooks called directly (no virtual call, no exception: the ABI returns codes).
#pragma once

#include "common/run_config.hpp"

#include <factory/abi.h>

namespace factory::workshop {

class blueprint_instance {
public:
    // Loads and opens the blueprint; throws std::runtime_error with one line naming the plugin.
    blueprint_instance(const plugin_choice& choice, const factory_host* host);
    ~blueprint_instance();
    blueprint_instance(const blueprint_instance&) = delete;
    blueprint_instance& operator=(const blueprint_instance&) = delete;

    const factory_descriptor& descriptor() const noexcept { return *descriptor_; }

    int hire(factory_worker* w, const factory_material* m, factory_error* err) noexcept {
        return hooks_->on_hire(instance_, w, m, err);
    }
    int material(factory_worker* w, const factory_material* m, factory_error* err) noexcept {
        return hooks_->on_material(instance_, w, m, err);
    }
    bool inspects() const noexcept { return hooks_->on_inspect != nullptr; }
    int inspect(factory_worker* w, std::int64_t now_ns, factory_error* err) noexcept {
        return hooks_->on_inspect(instance_, w, now_ns, err);
    }
    void fire(factory_worker* w, std::uint32_t reason, std::int64_t now_ns) noexcept {
        hooks_->on_fire(instance_, w, reason, now_ns);
    }
    void close() noexcept;

private:
    const factory_descriptor* descriptor_ = nullptr;
    const factory_blueprint_hooks* hooks_ = nullptr;
    void* instance_ = nullptr;
};

} // namespace factory::workshop
