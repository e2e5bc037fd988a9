// `factory-host plugins` and `factory-host plugins NAME`: what plugins there are, and what one takes.
// Runs no plugin code beyond loading (loader.hpp): the descriptors say everything shown.
#pragma once

#include "plugins/search_path.hpp"

#include <optional>
#include <ostream>
#include <string>

namespace factory::plugins {

// Without `name`: an aligned table of every plugin in `path` (name, kind, version, description,
// file; a plugin that a same-named one earlier in the search order hides is marked "not used"),
// then every .so that is not a usable plugin, with its error. Returns 0.
//
// With `name` (a plugin name, a .so file name or a path): each plugin of that name (a source and an
// exporter may share one) with its settings (key, type, default or "required", choices, help) and,
// for a blueprint, its product classes and their fields. Returns 0 when at least one was shown;
// otherwise writes one line to `err` (what is wrong, or where the host looked) and returns 1.
int plugins_command(const search_path& path, const std::optional<std::string>& name, std::ostream& out,
                    std::ostream& err);

} // namespace factory::plugins
