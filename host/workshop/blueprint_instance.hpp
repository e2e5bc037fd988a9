// The blueprint plugin as a workshop holds it (plugins/instance.hpp: loaded in this process, opened
// with its checked settings, closed exactly once), its hooks called directly: no virtual call, no
// exception, the ABI returns codes.
#pragma once

#include "common/run_config.hpp"
#include "plugins/instance.hpp"

#include <factory/abi.h>

#include <cstdint>
#include <cstdio>

namespace factory::workshop {

class blueprint_instance {
public:
    // Loads and opens the blueprint; throws std::runtime_error with one line naming the plugin.
    blueprint_instance(const plugin_choice& choice, const factory_host* host)
        : plugin_(choice, [host](const factory_blueprint_hooks* h, const factory_settings* s, void** handle,
                                 factory_error* err) { return h->on_open(host, s, handle, err); }) {}

    // A blueprint already open in this process, given as its hooks and handle (unit tests); closed
    // like a loaded one, without a descriptor(). `hooks` must outlive this object.
    blueprint_instance(const factory_blueprint_hooks* hooks, void* handle) noexcept : plugin_(hooks, handle) {}

    const factory_descriptor& descriptor() const noexcept { return *plugin_.descriptor(); }
    int hire(factory_worker* w, const factory_material* m, factory_error* err) noexcept {
        return plugin_.hooks().on_hire(plugin_.handle(), w, m, err);
    }
    int material(factory_worker* w, const factory_material* m, factory_error* err) noexcept {
        return plugin_.hooks().on_material(plugin_.handle(), w, m, err);
    }
    bool inspects() const noexcept { return plugin_.hooks().on_inspect != nullptr; }
    int inspect(factory_worker* w, std::int64_t now_ns, factory_error* err) noexcept {
        return plugin_.hooks().on_inspect(plugin_.handle(), w, now_ns, err);
    }
    void fire(factory_worker* w, std::uint32_t reason, std::int64_t now_ns) noexcept {
        plugin_.hooks().on_fire(plugin_.handle(), w, reason, now_ns);
    }
    // True when the blueprint can restore a checkpoint of its descriptor's state_previous layout.
    bool upgrades() const noexcept { return plugin_.hooks().on_upgrade != nullptr; }
    // Fills `state` (state_size bytes, zeroed and aligned by the caller) from `old_state`
    // (state_previous->record_size bytes). FACTORY_OK, or FACTORY_ERROR with `err` (also when the
    // blueprint does not upgrade).
    int upgrade(const void* old_state, void* state, factory_error* err) noexcept {
        if (!upgrades()) {
            if (err != nullptr)
                std::snprintf(err->message, sizeof err->message, "the blueprint has no on_upgrade");
            return FACTORY_ERROR;
        }
        return plugin_.hooks().on_upgrade(plugin_.handle(), old_state, state, err);
    }
    void close() noexcept { plugin_.close(); }

private:
    plugins::instance<factory_blueprint_hooks> plugin_;
};

} // namespace factory::workshop
