// Loads a built plugin file the way the host does (dlopen with RTLD_LOCAL, never dlclose), checks
// the version handshake and returns its descriptor; throws std::runtime_error saying what failed.
#pragma once

#include <factory/abi.h>

#include <dlfcn.h>

#include <stdexcept>
#include <string>

namespace factory::testing {

inline const factory_descriptor* load_plugin(const std::string& path) {
    void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) throw std::runtime_error("dlopen " + path + ": " + dlerror());
    auto abi = reinterpret_cast<factory_plugin_abi_fn>(dlsym(lib, FACTORY_ABI_SYMBOL));
    auto desc = reinterpret_cast<factory_plugin_descriptor_fn>(dlsym(lib, FACTORY_DESCRIPTOR_SYMBOL));
    if (abi == nullptr || desc == nullptr) throw std::runtime_error(path + ": entry points missing");
    std::uint32_t size = 0;
    if (abi(&size) != FACTORY_ABI_VERSION || size != sizeof(factory_descriptor))
        throw std::runtime_error(path + ": ABI version or descriptor size differs");
    const factory_descriptor* d = desc();
    if (d == nullptr) throw std::runtime_error(path + ": descriptor is NULL");
    return d;
}

// The spec of setting `key`, or nullptr.
inline const factory_setting_spec* find_setting(const factory_descriptor* d, const std::string& key) {
    for (std::uint32_t i = 0; i < d->setting_count; ++i)
        if (key == d->settings[i].key) return &d->settings[i];
    return nullptr;
}

} // namespace factory::testing
