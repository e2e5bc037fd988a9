// Where plugins are looked for, in order. The first folder holding a match wins, so a folder given
// with --plugin-dir can override a bundled plugin.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace factory::plugins {

struct search_path {
    std::vector<std::filesystem::path> dirs;
};

// The installed plugins folder: the folder of the running executable plus
// build::plugin_dir_from_bin. It holds in the build tree too (build/bin -> build/lib/factory/plugins).
std::filesystem::path installed_plugin_dir();

// The standard order: `plugin_dirs` (--plugin-dir, in the order given), then installed_plugin_dir(),
// then ./plugins. Relative folders are made absolute against the current folder; a folder named
// twice is kept at its first place only. Folders that do not exist are kept (and skipped when
// searched), so that messages can say where the host looked.
search_path standard_search_path(const std::vector<std::filesystem::path>& plugin_dirs);

// Every "*.so" file directly in `dir` (not in sub-folders), sorted by name; empty when `dir` does
// not exist or cannot be read.
std::vector<std::filesystem::path> plugin_files(const std::filesystem::path& dir);

// "/a, /b (missing), /c": the folders for a message.
std::string describe_dirs(const search_path& path);

} // namespace factory::plugins
