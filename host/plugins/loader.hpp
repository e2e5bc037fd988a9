// Loading one plugin file: the version handshake, then the descriptor, then its check.
//
// Libraries are opened with Boost.DLL in mode rtld_now | rtld_local (every symbol resolved at once,
// none leaking into other plugins) and are never unloaded: each stays loaded for the life of the
// process, so descriptors, hooks and anything a plugin handed out stay valid. Loading the same
// file again returns the library already loaded. Thread-safe.
//
// Loading runs no plugin code but the library's static initialisers and the two entry points
// (factory_plugin_abi, factory_plugin_descriptor); on_open and the other hooks are not called.
#pragma once

#include "plugins/plugin.hpp"

#include <filesystem>

namespace factory::plugins {

// Loads `file` and checks it. Throws load_error, one line naming the file, when:
//  - it does not exist, or is not a regular file;
//  - it or its folder can be written by other users (file_safety.hpp);
//  - the loader refuses it (not a shared library, missing dependency, ...: the loader's reason);
//  - it is not a factory plugin (no factory_plugin_abi symbol);
//  - its ABI version or descriptor size differs from this host's (both versions are named);
//  - its descriptor is missing or malformed (descriptor_check.hpp says what).
plugin load_file(const std::filesystem::path& file);

} // namespace factory::plugins
