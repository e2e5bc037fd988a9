// A plugin of one kind as the process that uses it holds it: loaded in this process (with the
// handshake and descriptor checks of loader.hpp), checked to be of the kind the process expects,
// opened with its checked settings, closed exactly once. One template for the three kinds; the
// departments' classes (source_instance, blueprint_instance, exporter_instance) add only the calls
// of their hooks.
#pragma once

#include "common/run_config.hpp"
#include "plugins/loader.hpp"
#include "plugins/settings_block.hpp"

#include <factory/abi.h>

#include <stdexcept>
#include <string>

namespace factory::plugins {

template <class Hooks>
struct kind_of;

template <>
struct kind_of<factory_source_hooks> {
    static constexpr const char* name = "source";
    static const factory_source_hooks* hooks(const factory_descriptor& d) noexcept { return d.source; }
};

template <>
struct kind_of<factory_blueprint_hooks> {
    static constexpr const char* name = "blueprint";
    static const factory_blueprint_hooks* hooks(const factory_descriptor& d) noexcept { return d.blueprint; }
};

template <>
struct kind_of<factory_exporter_hooks> {
    static constexpr const char* name = "exporter";
    static const factory_exporter_hooks* hooks(const factory_descriptor& d) noexcept { return d.exporter; }
};

template <class Hooks>
class instance {
public:
    // Loads `choice.file` and opens it through `open(hooks, settings, &handle, &err)`, which calls
    // the kind's on_open with whatever else that takes. Throws std::runtime_error with one line
    // that names the plugin and says what to do.
    template <class Open>
    instance(const plugin_choice& choice, Open&& open) {
        const char* want = kind_of<Hooks>::name;
        plugin p = load_file(choice.file);
        hooks_ = kind_of<Hooks>::hooks(*p.descriptor);
        if (hooks_ == nullptr) {
            const std::string is = to_string(p.type());
            throw std::runtime_error(choice.file + " is a " + is + " plugin, not a " + want + ": name a " + want +
                                     " plugin with --" + want + " (factory-host plugins lists them), and this one with --" +
                                     is);
        }
        descriptor_ = p.descriptor;
        settings_block settings(choice.settings);
        factory_error err{};
        if (open(hooks_, settings.get(), &handle_, &err) != FACTORY_OK)
            throw std::runtime_error(std::string(want) + " " + choice.name + " (" + choice.file + "): init failed: " +
                                     (err.message[0] != '\0' ? err.message : "no reason given"));
    }
    // A plugin already open in this process, given as its hooks and handle (unit tests); closed
    // like a loaded one. `hooks` must outlive this object.
    instance(const Hooks* hooks, void* handle) noexcept : hooks_(hooks), handle_(handle) {}
    ~instance() { close(); }
    instance(const instance&) = delete;
    instance& operator=(const instance&) = delete;

    // Null for an instance given as hooks and handle.
    const factory_descriptor* descriptor() const noexcept { return descriptor_; }
    const Hooks& hooks() const noexcept { return *hooks_; }
    // The plugin's own instance pointer, to pass back to its hooks; null once closed.
    void* handle() const noexcept { return handle_; }

    void close() noexcept {
        if (handle_ != nullptr) {
            hooks_->on_close(handle_);
            handle_ = nullptr;
        }
    }
    // Forgets the plugin without on_close: for one that must never be called again (an exporter
    // stuck in a hook on another thread).
    void abandon() noexcept { handle_ = nullptr; }

private:
    const factory_descriptor* descriptor_ = nullptr;
    const Hooks* hooks_ = nullptr;
    void* handle_ = nullptr;
};

} // namespace factory::plugins
