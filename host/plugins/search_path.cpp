#include "plugins/search_path.hpp"

#include "build_info.hpp"

#include <boost/dll/runtime_symbol_info.hpp>

#include <algorithm>
#include <system_error>

namespace factory::plugins {

namespace fs = std::filesystem;

fs::path installed_plugin_dir() {
    boost::dll::fs::error_code ec;
    const auto exe = boost::dll::program_location(ec);
    const fs::path bin = ec ? fs::current_path() : fs::path(exe.parent_path().string());
    return (bin / build::plugin_dir_from_bin).lexically_normal();
}

search_path standard_search_path(const std::vector<fs::path>& plugin_dirs) {
    std::vector<fs::path> candidates;
    for (const auto& d : plugin_dirs) candidates.push_back(fs::absolute(d).lexically_normal());
    candidates.push_back(installed_plugin_dir());
    candidates.push_back((fs::current_path() / "plugins").lexically_normal());

    search_path result;
    std::vector<fs::path> seen; // real paths, so that one folder reached two ways counts once
    for (auto& dir : candidates) {
        std::error_code ec;
        fs::path real = fs::weakly_canonical(dir, ec);
        if (ec) real = dir;
        if (std::find(seen.begin(), seen.end(), real) != seen.end()) continue;
        seen.push_back(real);
        result.dirs.push_back(std::move(dir));
    }
    return result;
}

std::vector<fs::path> plugin_files(const fs::path& dir) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const fs::path& p = it->path();
        if (p.extension() == ".so" && !it->is_directory(ec)) files.push_back(p);
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::string describe_dirs(const search_path& path) {
    std::string text;
    for (const auto& d : path.dirs) {
        if (!text.empty()) text += ", ";
        std::error_code ec;
        text += d.string() + (fs::is_directory(d, ec) ? "" : " (missing)");
    }
    return text.empty() ? "no folders" : text;
}

} // namespace factory::plugins
