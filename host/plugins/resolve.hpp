// Finding the plugin the user named with --source, --blueprint or --exporter.
#pragma once

#include "plugins/plugin.hpp"
#include "plugins/search_path.hpp"

#include <optional>
#include <string>

namespace factory::plugins {

// `target` is
//  - a path when it contains '/': that file is loaded;
//  - a file name when it ends in ".so": the first folder of `path` holding it wins;
//  - otherwise a plugin name, looked up in each folder in turn as lib<name>.so, then
//    lib<kind>_<name>.so (bundled sources and exporters are libsource_jsonl.so,
//    libexporter_jsonl.so; blueprints libwidget.so), and when no folder has either, by loading
//    every .so of the folders in order and taking the first whose descriptor has that name and kind.
// Throws load_error, one line: the file's own load error (an existing file of the wanted name that
// cannot be loaded is an error, not skipped); the plugin found is of another kind ("... is a source
// plugin, but --blueprint needs a blueprint"); nothing found (the folders searched, and how to list
// them: 'factory-host plugins').
plugin resolve(const std::string& target, kind expected, const search_path& path);

// The name lookup of resolve() for one kind, without the errors of "not found" and "wrong kind":
// nothing when no plugin of that name and kind is found. Still throws load_error when a file named
// lib<name>.so or lib<kind>_<name>.so exists but cannot be loaded.
std::optional<plugin> find_by_name(const std::string& name, kind expected, const search_path& path);

// The first folder of `path` holding `file_name`, as a full path; nothing when none does.
std::optional<std::filesystem::path> find_file(const std::string& file_name, const search_path& path);

} // namespace factory::plugins
