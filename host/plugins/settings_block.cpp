#include "plugins/settings_block.hpp"

#include <utility>

namespace factory::plugins {

settings_block::settings_block(resolved_settings settings) : settings_(std::move(settings)) {
    keys_.reserve(settings_.size());
    values_.reserve(settings_.size());
    for (const auto& [key, value] : settings_) {
        keys_.push_back(key.c_str());
        values_.push_back(value.c_str());
    }
    raw_.struct_size = sizeof(factory_settings);
    raw_.count = static_cast<std::uint32_t>(settings_.size());
    raw_.keys = keys_.empty() ? nullptr : keys_.data();
    raw_.values = values_.empty() ? nullptr : values_.data();
}

} // namespace factory::plugins
