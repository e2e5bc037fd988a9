#include "transportation/exporter_instance.hpp"

#include "plugins/settings_block.hpp"
#include "plugins/loader.hpp"

#include <stdexcept>

namespace factory::transportation {

exporter_instance::exporter_instance(const plugin_choice& choice, const factory_export_info& info,
                                     const std::atomic<std::uint32_t>* abort_flag)
    : name_(choice.name), services_(std::make_unique<host_services>("exporter " + choice.name, 0, abort_flag)) {
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

void exporter_instance::close() noexcept {
    if (instance_ != nullptr) {
        hooks_->on_close(instance_);
        instance_ = nullptr;
    }
}

} // namespace factory::transportation
