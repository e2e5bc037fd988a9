// The C++ layer over <factory/abi.h> for plugin authors: everything common to the three kinds.
// Include the header of your kind (<factory/blueprint.hpp>, <factory/source.hpp> or
// <factory/exporter.hpp>); it includes this one.
//
// Nothing of C++ crosses the ABI: the trampolines in the kind headers catch every exception a
// plugin throws and turn it into FACTORY_ERROR with the exception's message.
#pragma once

#include <factory/abi.h>
#include <factory/schema.hpp>
#include <factory/settings.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace factory {

// What a plugin says about itself in its descriptor. Beside `static constexpr factory::info info`,
// a plugin class may declare `static constexpr const char* notes = "...\n..."`: a few short lines a
// user needs beyond the settings (how values are stored, limits), shown by `factory-host plugins
// NAME`.
struct info {
    const char* name;        // [a-z0-9_]+
    const char* version;     // e.g. "1.0.0"
    const char* description; // one line
};

enum class log_level : std::uint32_t {
    debug = FACTORY_LOG_DEBUG,
    info = FACTORY_LOG_INFO,
    warn = FACTORY_LOG_WARN,
    error = FACTORY_LOG_ERROR
};

// Host services. Valid from the plugin's constructor until its destructor returns; use only from
// the thread that calls the plugin's hooks.
class host {
public:
    explicit host(const factory_host* raw) noexcept : raw_(raw) {}

    void log(log_level level, const std::string& message) const {
        raw_->host_log(raw_->self, static_cast<std::uint32_t>(level), message.c_str());
    }
    std::int64_t now_ns() const noexcept { return raw_->host_now_ns(raw_->self); }
    bool stopping() const noexcept { return raw_->host_stopping(raw_->self) != 0; }
    std::uint32_t workshop() const noexcept { return raw_->workshop; }
    // Sources: the run's blueprint's material layout when this source declared that it fills
    // records (fills_records) and the blueprint declared one; nullptr otherwise (raw materials).
    const factory_pclass* material_layout() const noexcept {
        constexpr std::size_t end = offsetof(factory_host, material_layout) + sizeof(raw_->material_layout);
        return raw_->struct_size >= end ? raw_->material_layout : nullptr;
    }
    const factory_host* raw() const noexcept { return raw_; }

    // Sources with FACTORY_SOURCE_KEEPS_STATE under --checkpoint (abi.h says when): a worker that
    // continues here, one that goes to another run, a checkpoint taken now. Each throws
    // factory::error with the host's reason when it cannot be done.
    bool keeps_state() const noexcept { return raw_->host_restore_worker != nullptr; }
    void restore_worker(const factory_worker_image& w) const { check(raw_->host_restore_worker, "host_restore_worker", [&](factory_error* e) { return raw_->host_restore_worker(raw_->self, &w, e); }); }
    void release_worker(std::uint64_t pid) const { check(raw_->host_release_worker, "host_release_worker", [&](factory_error* e) { return raw_->host_release_worker(raw_->self, pid, e); }); }
    void checkpoint_now() const { check(raw_->host_checkpoint_now, "host_checkpoint_now", [&](factory_error* e) { return raw_->host_checkpoint_now(raw_->self, e); }); }

private:
    template <class Fn, class Call>
    static void check(Fn fn, const char* name, Call call) {
        if (fn == nullptr)
            throw factory::error(std::string(name) + " is not offered: the source lacks FACTORY_SOURCE_KEEPS_STATE or "
                                                     "the run has no --checkpoint");
        factory_error err{};
        if (call(&err) != FACTORY_OK) throw factory::error(err.message[0] != '\0' ? err.message : name);
    }
    const factory_host* raw_;
};

// A read-only view of one material; valid only during the hook that receives it.
class material {
public:
    explicit material(const factory_material* raw) noexcept : raw_(raw) {}

    std::uint64_t pid() const noexcept { return raw_->pid; }
    std::int64_t time_ns() const noexcept { return raw_->time_ns; }
    std::uint64_t seq() const noexcept { return raw_->seq; }
    std::uint16_t format() const noexcept { return raw_->format; }
    std::uint32_t size() const noexcept { return raw_->size; }
    const unsigned char* data() const noexcept {
        return static_cast<const unsigned char*>(factory_material_payload(raw_));
    }
    std::string_view text() const noexcept {
        return {reinterpret_cast<const char*>(data()), raw_->size};
    }
    // A typed material (FACTORY_FORMAT_RECORD) as the blueprint's material record R, or nullptr
    // when this material is raw (another format) or not R's size.
    template <class R>
    const R* record() const noexcept {
        static_assert(alignof(R) <= 8, "a material record is 8-byte aligned at most");
        return raw_->format == FACTORY_FORMAT_RECORD && raw_->size == sizeof(R) ? reinterpret_cast<const R*>(data())
                                                                               : nullptr;
    }
    // The payload as a T, or nullptr when it is too small to hold one.
    template <class T>
    const T* as() const noexcept {
        return raw_->size >= sizeof(T) ? reinterpret_cast<const T*>(data()) : nullptr;
    }
    const factory_material* raw() const noexcept { return raw_; }

private:
    const factory_material* raw_;
};

namespace detail {

inline void copy_message(factory_error* err, std::string_view text) noexcept {
    if (err == nullptr) return;
    std::size_t n = text.size() < sizeof(err->message) - 1 ? text.size() : sizeof(err->message) - 1;
    std::memcpy(err->message, text.data(), n);
    err->message[n] = '\0';
}

inline int fail(factory_error* err, const std::exception& e) noexcept {
    copy_message(err, e.what());
    return FACTORY_ERROR;
}

inline int fail_unknown(factory_error* err) noexcept {
    copy_message(err, "unknown exception");
    return FACTORY_ERROR;
}

inline std::uint32_t abi(std::uint32_t* descriptor_size) noexcept {
    if (descriptor_size != nullptr) *descriptor_size = sizeof(factory_descriptor);
    return FACTORY_ABI_VERSION;
}

// Fills the common part of a descriptor from a plugin class's static members.
template <class T, class Storage>
void describe(factory_descriptor& d, Storage& storage, std::uint32_t kind) {
    d.abi_version = FACTORY_ABI_VERSION;
    d.struct_size = sizeof(factory_descriptor);
    d.kind = kind;
    d.name = T::info.name;
    d.version = T::info.version;
    d.description = T::info.description;
    if constexpr (requires { T::notes; }) d.notes = T::notes;
    if constexpr (requires { T::settings; }) {
        for (const setting& s : T::settings)
            storage.settings.push_back(
                factory_setting_spec{s.key, s.type, s.flags, s.default_value, s.help, s.choices});
    }
    d.setting_count = static_cast<std::uint32_t>(storage.settings.size());
    d.settings = storage.settings.empty() ? nullptr : storage.settings.data();
}

// What a descriptor points into: built once, on the first call, and kept for the library's life.
template <class Hooks>
struct plugin_storage {
    std::vector<factory_setting_spec> settings;
    std::vector<factory_pclass> pclasses;
    factory_pclass state_layout{};   // blueprints: the state's fields, when declared
    factory_pclass state_previous{}; // blueprints: the older state's, when declared
    factory_pclass material_layout{}; // blueprints: the material record's fields, when declared
    Hooks hooks{};
    factory_descriptor descriptor{};
};

// T's descriptor of `kind`, with its common part from T's static members; `finish` fills the
// kind's hooks and fields. Null when building it failed (the host then refuses the plugin).
template <class T, class Hooks, class Finish>
const factory_descriptor* build_descriptor(std::uint32_t kind, Finish finish) noexcept {
    static const plugin_storage<Hooks>* built = [&]() -> plugin_storage<Hooks>* {
        try {
            auto* s = new plugin_storage<Hooks>;
            describe<T>(s->descriptor, *s, kind);
            s->hooks.struct_size = sizeof(Hooks);
            finish(*s);
            return s;
        } catch (...) {
            return nullptr;
        }
    }();
    return built != nullptr ? &built->descriptor : nullptr;
}

} // namespace detail
} // namespace factory

#define FACTORY_EXPORT extern "C" __attribute__((visibility("default")))

// Defines the two entry points for plugin class T; `maker` builds its descriptor.
#define FACTORY_DEFINE_ENTRY_POINTS(maker, T)                                               \
    FACTORY_EXPORT std::uint32_t factory_plugin_abi(std::uint32_t* descriptor_size) {       \
        return ::factory::detail::abi(descriptor_size);                                     \
    }                                                                                       \
    FACTORY_EXPORT const factory_descriptor* factory_plugin_descriptor(void) {              \
        return maker<T>();                                                                  \
    }
