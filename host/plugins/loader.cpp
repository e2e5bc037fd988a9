#include "plugins/loader.hpp"

#include "plugins/descriptor_check.hpp"
#include "plugins/file_safety.hpp"

#include <boost/dll/shared_library.hpp>
#include <dlfcn.h>

#include <map>
#include <mutex>
#include <string>
#include <type_traits>

namespace factory::plugins {
namespace {

namespace fs = std::filesystem;

const std::string rebuild = "rebuild the plugin against this factory SDK";

// Every library ever loaded, by real path. Allocated once and never destroyed: destroying a
// boost::dll::shared_library unloads it, and code or data of a plugin may still be in use during
// static destruction at exit.
struct library_registry {
    std::mutex mutex;
    std::map<std::string, boost::dll::shared_library> by_file;
};

library_registry& registry() {
    static auto* r = new library_registry;
    return *r;
}

// Boost.DLL clears dlerror() before it reports a failed load, so the loader is asked once more for
// its reason. A failed dlopen leaves nothing loaded, so asking again costs nothing.
std::string loader_reason(const fs::path& file) {
    void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle != nullptr) return "it failed once, then loaded: it may have been changed while loading";
    const char* text = ::dlerror();
    std::string reason = text != nullptr ? text : "no reason given";
    const std::string prefix = file.string() + ": ";
    if (reason.rfind(prefix, 0) == 0) reason.erase(0, prefix.size());
    return reason;
}

const boost::dll::shared_library& open_library(const fs::path& file) {
    auto& r = registry();
    std::error_code fs_ec;
    const std::string key = fs::weakly_canonical(file, fs_ec).string();
    std::lock_guard lock(r.mutex);
    if (auto it = r.by_file.find(key); it != r.by_file.end()) return it->second;

    boost::dll::fs::error_code ec;
    boost::dll::shared_library lib;
    lib.load(boost::dll::fs::path(file.string()),
             boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
    if (ec || !lib.is_loaded())
        throw load_error(file.string() + ": cannot be loaded as a shared library (" + loader_reason(file) +
                         "); give a plugin .so built for this system");
    return r.by_file.emplace(key, std::move(lib)).first->second;
}

const factory_descriptor* handshake(const boost::dll::shared_library& lib, const fs::path& file) {
    const std::string self = file.string() + ": ";
    if (!lib.has(FACTORY_ABI_SYMBOL))
        throw load_error(self + "not a factory plugin (it exports no " FACTORY_ABI_SYMBOL
                         "); build it with the factory SDK and FACTORY_BLUEPRINT, FACTORY_SOURCE or FACTORY_EXPORTER");

    auto& abi = lib.get<std::remove_pointer_t<factory_plugin_abi_fn>>(FACTORY_ABI_SYMBOL);
    std::uint32_t size = 0;
    const std::uint32_t version = abi(&size);
    if (version != FACTORY_ABI_VERSION)
        throw load_error(self + "plugin ABI version " + std::to_string(version) + ", but this factory-host speaks ABI version " +
                         std::to_string(FACTORY_ABI_VERSION) + "; " + rebuild);
    if (size != sizeof(factory_descriptor))
        throw load_error(self + "descriptor size " + std::to_string(size) + " bytes, but ABI version " +
                         std::to_string(FACTORY_ABI_VERSION) + " has " + std::to_string(sizeof(factory_descriptor)) +
                         " (plugin ABI version " + std::to_string(version) + ", host ABI version " +
                         std::to_string(FACTORY_ABI_VERSION) + "); " + rebuild);

    if (!lib.has(FACTORY_DESCRIPTOR_SYMBOL))
        throw load_error(self + "malformed plugin: it exports " FACTORY_ABI_SYMBOL " but not " FACTORY_DESCRIPTOR_SYMBOL
                         "; " + rebuild);
    auto& describe = lib.get<std::remove_pointer_t<factory_plugin_descriptor_fn>>(FACTORY_DESCRIPTOR_SYMBOL);
    const factory_descriptor* d = describe();
    if (d == nullptr)
        throw load_error(self + "malformed descriptor: " FACTORY_DESCRIPTOR_SYMBOL
                         " returned NULL (the plugin failed to build it); fix the plugin");
    if (d->abi_version != FACTORY_ABI_VERSION || d->struct_size != sizeof(factory_descriptor))
        throw load_error(self + "malformed descriptor: it says ABI version " + std::to_string(d->abi_version) + " and size " +
                         std::to_string(d->struct_size) + ", but the handshake said ABI version " +
                         std::to_string(version) + " and size " + std::to_string(size) + "; " + rebuild);
    return d;
}

} // namespace

plugin load_file(const fs::path& given) {
    const fs::path file = fs::absolute(given).lexically_normal();
    std::error_code ec;
    const auto st = fs::status(file, ec);
    if (!fs::exists(st))
        throw load_error(file.string() + ": no such plugin file; check the path, or list the plugins with 'factory-host plugins'");
    if (!fs::is_regular_file(st))
        throw load_error(file.string() + ": not a regular file; give the plugin's .so file");
    check_not_writable_by_others(file);

    const auto& lib = open_library(file);
    const factory_descriptor* d = handshake(lib, file);
    if (auto problem = descriptor_problem(*d); !problem.empty())
        throw load_error(file.string() + ": malformed descriptor: " + problem + "; fix the plugin's descriptor and rebuild it");
    return plugin{file, d};
}

} // namespace factory::plugins
