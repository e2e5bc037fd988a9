#include "plugins/resolve.hpp"

#include "cli/suggest.hpp"
#include "plugins/loader.hpp"
#include "plugins/scan.hpp"

#include <system_error>

namespace factory::plugins {
namespace {

namespace fs = std::filesystem;

std::string option_for(kind k) { return std::string("--") + to_string(k); }

std::string a(kind k) { return (k == kind::exporter ? "an " : "a ") + std::string(to_string(k)); }

[[noreturn]] void wrong_kind(const plugin& p, kind expected) {
    throw load_error(p.file.string() + " is " + a(p.type()) + " plugin, but " + option_for(expected) + " needs " +
                     a(expected) + "; list the " + to_string(expected) + " plugins with 'factory-host plugins'");
}

plugin require_kind(plugin p, kind expected) {
    if (p.type() != expected) wrong_kind(p, expected);
    return p;
}

// "did you mean 'web_sessions'?" when a plugin of kind `k` in the search path is named close to
// `target`; empty otherwise. Loads every plugin file: only on the way to an error.
std::string name_hint(const std::string& target, kind k, const search_path& path) {
    std::vector<std::string> names;
    for (const auto& entry : scan(path))
        if (entry.loaded && entry.loaded->type() == k) names.emplace_back(entry.loaded->name());
    return cli::did_you_mean(target, names);
}

bool file_exists(const fs::path& p) {
    std::error_code ec;
    return fs::exists(p, ec);
}

} // namespace

std::optional<fs::path> find_file(const std::string& file_name, const search_path& path) {
    for (const auto& dir : path.dirs)
        if (file_exists(dir / file_name)) return dir / file_name;
    return std::nullopt;
}

std::optional<plugin> find_by_name(const std::string& name, kind expected, const search_path& path) {
    const std::string by_name[] = {"lib" + name + ".so", "lib" + std::string(to_string(expected)) + "_" + name + ".so"};
    for (const auto& dir : path.dirs)
        for (const auto& file : by_name)
            if (file_exists(dir / file)) {
                // A file of the wanted name that does not load is reported, not skipped: the user
                // most likely put it there to be used, and a silent fallback would hide that.
                plugin p = load_file(dir / file);
                if (p.type() == expected) return p;
            }

    // Last resort: a plugin whose file is named otherwise. Files that do not load are not ours to
    // judge here; scan() reports them.
    for (const auto& dir : path.dirs)
        for (const auto& file : plugin_files(dir)) {
            try {
                plugin p = load_file(file);
                if (p.type() == expected && p.name() == name) return p;
            } catch (const std::exception&) {
            }
        }
    return std::nullopt;
}

plugin resolve(const std::string& target, kind expected, const search_path& path) {
    if (target.empty())
        throw load_error(option_for(expected) + " names no plugin; give a plugin name, a .so file name or a path");
    if (target.find('/') != std::string::npos) return require_kind(load_file(target), expected);

    if (target.size() > 3 && target.ends_with(".so")) {
        if (auto file = find_file(target, path)) return require_kind(load_file(*file), expected);
        throw load_error("no plugin file " + target + " in " + describe_dirs(path) +
                         "; list the plugins with 'factory-host plugins', add a folder with --plugin-dir, or give a path");
    }

    if (auto p = find_by_name(target, expected, path)) return *p;
    for (kind other : {kind::source, kind::blueprint, kind::exporter}) {
        if (other == expected) continue;
        std::optional<plugin> p;
        try {
            p = find_by_name(target, other, path);
        } catch (const load_error&) {
        }
        if (p) wrong_kind(*p, expected);
    }
    const std::string hint = name_hint(target, expected, path);
    throw load_error("no " + std::string(to_string(expected)) + " plugin named '" + target + "'" +
                     (hint.empty() ? "" : "; " + hint) + ": looked for lib" + target + ".so, lib" + to_string(expected) +
                     "_" + target + ".so and any .so whose descriptor is named '" + target + "' in " +
                     describe_dirs(path) +
                     "; list the plugins with 'factory-host plugins', add a folder with --plugin-dir, or give a path");
}

} // namespace factory::plugins
