// The source plugin as the purchasing process holds it: loaded (in this process, as the design
// wants), opened with its checked settings, closed exactly once.
#pragma once

#include "common/run_config.hpp"

#include <factory/abi.h>

namespace factory::purchasing {

class source_instance {
public:
    // Loads and opens the source; throws std::runtime_error with one line naming the plugin.
    source_instance(const plugin_choice& choice, const factory_host* host);
    ~source_instance();
    source_instance(const source_instance&) = delete;
    source_instance& operator=(const source_instance&) = delete;

    int fill(factory_fill* fill, factory_error* err) noexcept { return hooks_->on_fill(instance_, fill, err); }
    void close() noexcept;

private:
    const factory_source_hooks* hooks_ = nullptr;
    void* instance_ = nullptr;
};

} // namespace factory::purchasing
