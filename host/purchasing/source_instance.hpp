// The source plugin as the purchasing process holds it (plugins/instance.hpp: loaded in this
// process, as the design wants, opened with its checked settings, closed exactly once).
#pragma once

#include "common/run_config.hpp"
#include "plugins/instance.hpp"

#include <factory/abi.h>

namespace factory::purchasing {

class source_instance {
public:
    // Loads and opens the source; throws std::runtime_error with one line naming the plugin.
    source_instance(const plugin_choice& choice, const factory_host* host)
        : plugin_(choice, [host](const factory_source_hooks* h, const factory_settings* s, void** handle,
                                 factory_error* err) { return h->on_open(host, s, handle, err); }) {}

    int fill(factory_fill* fill, factory_error* err) noexcept {
        return plugin_.hooks().on_fill(plugin_.handle(), fill, err);
    }
    void close() noexcept { plugin_.close(); }

private:
    plugins::instance<factory_source_hooks> plugin_;
};

} // namespace factory::purchasing
