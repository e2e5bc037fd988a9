#include "plugins/file_safety.hpp"

#include "plugins/plugin.hpp"

#include <cstdio>
#include <string>
#include <system_error>

#include <sys/stat.h>
#include <unistd.h>

namespace factory::plugins {
namespace {

namespace fs = std::filesystem;

constexpr fs::perms others_may_write = fs::perms::group_write | fs::perms::others_write;

std::string octal(fs::perms p) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), "%04o", static_cast<unsigned>(p & fs::perms::mask));
    return buf;
}

fs::perms mode_of(const fs::path& p) {
    std::error_code ec;
    auto st = fs::status(p, ec);
    if (ec) throw load_error(p.string() + ": cannot read its permissions (" + ec.message() + "); check the path");
    return st.permissions();
}

// Root and the user running the host may own what it loads; anyone else could change it.
void check_owner(const fs::path& p, const fs::path& plugin, const char* what) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) return; // mode_of has already said why it cannot be read
    if (st.st_uid == 0 || st.st_uid == ::geteuid()) return;
    throw load_error(plugin.string() + ": refusing to load a plugin whose " + what + " " + p.string() +
                     " belongs to another user (uid " + std::to_string(st.st_uid) +
                     "), who could replace it; copy the plugin to a folder of your own");
}

void check_file(const fs::path& file, const fs::path& plugin) {
    check_owner(file, plugin, "file");
    const auto mode = mode_of(file);
    if ((mode & others_may_write) == fs::perms::none) return;
    throw load_error(plugin.string() + ": refusing to load a plugin that other users can write to (" +
                     file.string() + " has mode " + octal(mode) + "); run 'chmod go-w " + file.string() + "'");
}

void check_folder(const fs::path& folder, const fs::path& plugin) {
    check_owner(folder, plugin, "folder");
    const auto mode = mode_of(folder);
    if ((mode & others_may_write) == fs::perms::none || (mode & fs::perms::sticky_bit) != fs::perms::none) return;
    throw load_error(plugin.string() + ": refusing to load a plugin from a folder that other users can write to (" +
                     folder.string() + " has mode " + octal(mode) + ", so anyone could replace the plugin); run 'chmod go-w " +
                     folder.string() + "' or move the plugin elsewhere");
}

// A folder above the plugin's: whoever may rename what is in it can move the plugin's folder
// away and put a tree of their own in its place. The sticky bit (/tmp) lets only an entry's
// owner rename it, and the owner here is already root or this user.
void check_enclosing_folder(const fs::path& folder, const fs::path& plugin) {
    check_owner(folder, plugin, "enclosing folder");
    const auto mode = mode_of(folder);
    if ((mode & others_may_write) == fs::perms::none || (mode & fs::perms::sticky_bit) != fs::perms::none) return;
    throw load_error(plugin.string() + ": refusing to load a plugin under a folder that other users can write to (" +
                     folder.string() + " has mode " + octal(mode) +
                     ", so anyone could rename what is in it and put their own tree in its place); run 'chmod go-w " +
                     folder.string() + "' or move the plugin to a folder whose every parent only root or you can write");
}

// The plugin's folder, then every folder above it up to /, as OpenSSH's StrictModes checks.
void check_folders(const fs::path& folder, const fs::path& plugin) {
    check_folder(folder, plugin);
    for (fs::path p = folder; p.has_relative_path();) {
        p = p.parent_path();
        check_enclosing_folder(p, plugin);
    }
}

} // namespace

void check_not_writable_by_others(const fs::path& file) {
    const fs::path given = fs::absolute(file).lexically_normal();
    check_file(given, given);
    check_folders(given.parent_path(), given);

    std::error_code ec;
    const fs::path real = fs::canonical(given, ec);
    if (ec || real == given) return;
    check_file(real, given);
    if (real.parent_path() != given.parent_path()) check_folders(real.parent_path(), given);
}

} // namespace factory::plugins
