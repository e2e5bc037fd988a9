// The blueprint plugin as a workshop holds it (plugins/instance.hpp: loaded in this process, opened
// with its checked settings, closed exactly once), its hooks called directly: no virtual call, no
// exception, the ABI returns codes.
#pragma once

#include "common/run_config.hpp"
#include "plugins/instance.hpp"

#include <factory/abi.h>

#include <cstdint>

namespace factory::workshop {

class blueprint_instance {
public:
    // Loads and opens the blueprint; throws std::runtime_error with one line naming the plugin.
    blueprint_instance(const plugin_choice& choice, const factory_host* host)
        : plugin_(choice, [host](const factory_blueprint_hooks* h, const factory_settings* s, void** handle,
                                 factory_error* err) { return h->on_open(host, s, handle, err); }) {}

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
    void close() noexcept { plugin_.close(); }

private:
    plugins::instance<factory_blueprint_hooks> plugin_;
};

} // namespace factory::workshop
