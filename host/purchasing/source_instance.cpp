#include "purchasing/source_instance.hpp"

#include "plugins/settings_block.hpp"
#include "plugins/loader.hpp"

#include <stdexcept>

namespace factory::purchasing {

source_instance::source_instance(const plugin_choice& choice, const factory_host* host) {
    auto p = plugins::load_file(choice.file);
    if (p.descriptor->source == nullptr)
        throw std::runtime_error(choice.file + " is not a source plugin");
    hooks_ = p.descriptor->source;
    plugins::settings_block settings(choice.settings);
    factory_error err{};
    if (hooks_->on_open(host, settings.get(), &instance_, &err) != FACTORY_OK)
        throw std::runtime_error("source " + choice.name + " (" + choice.file + "): init failed: " +
                                 (err.message[0] != '\0' ? err.message : "no reason given"));
}

source_instance::~source_instance() { close(); }

void source_instance::close() noexcept {
    if (instance_ != nullptr) {
        hooks_->on_close(instance_);
        instance_ = nullptr;
    }
}

} // namespace factory::purchasing
