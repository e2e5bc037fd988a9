#include "plugins/scan.hpp"

#include "plugins/loader.hpp"

namespace factory::plugins {

std::vector<scan_entry> scan(const search_path& path) {
    std::vector<scan_entry> entries;
    for (const auto& dir : path.dirs)
        for (const auto& file : plugin_files(dir)) {
            scan_entry e{file, std::nullopt, {}};
            try {
                e.loaded = load_file(file);
            } catch (const std::exception& err) { // a broken file is listed, never fatal
                e.error = err.what();
            }
            entries.push_back(std::move(e));
        }
    return entries;
}

} // namespace factory::plugins
