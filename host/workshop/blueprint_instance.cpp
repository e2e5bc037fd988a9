#include "workshop/blueprint_instance.hpp"

#include "plugins/settings_block.hpp"
#include "plugins/loader.hpp"

#include <stdexcept>

namespace factory::workshop {

blueprint_instance::blueprint_instance(const plugin_choice& choice, const factory_host* host) {
    auto p = plugins::load_file(choice.file);
    if (p.descriptor->blueprint == nullptr)
        throw std::runtime_error(choice.file + " is not a blueprint plugin");
    descriptor_ = p.descriptor;
    hooks_ = p.descriptor->blueprint;
    plugins::settings_block settings(choice.settings);
    factory_error err{};
    if (hooks_->on_open(host, settings.get(), &instance_, &err) != FACTORY_OK)
        throw std::runtime_error("blueprint " + choice.name + " (" + choice.file + "): init failed: " +
                                 (err.message[0] != '\0' ? err.message : "no reason given"));
}

blueprint_instance::~blueprint_instance() { close(); }

void blueprint_instance::close() noexcept {
    if (instance_ != nullptr) {
        hooks_->on_close(instance_);
        instance_ = nullptr;
    }
}

} // namespace factory::workshop
