// Listing every plugin file in the search path, for `factory-host plugins`.
#pragma once

#include "plugins/plugin.hpp"
#include "plugins/search_path.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace factory::plugins {

struct scan_entry {
    std::filesystem::path file;
    std::optional<plugin> loaded; // set when the file loaded and passed every check
    std::string error;            // otherwise: its load_error message
};

// Every .so in every folder of `path`, folders in order and files by name within each. A file that
// does not load is an entry with its error, never an exception. Loads each file (loader.hpp).
std::vector<scan_entry> scan(const search_path& path);

} // namespace factory::plugins
