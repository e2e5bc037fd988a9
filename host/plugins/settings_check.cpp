#include "plugins/settings_check.hpp"

#include "cli/suggest.hpp"
#include "plugins/setting_types.hpp"

#include <factory/util/values.hpp>

#include <unistd.h>

#include <filesystem>
#include <string_view>
#include <system_error>

namespace factory::plugins {
namespace {

namespace fs = std::filesystem;

struct checker {
    const plugin& p;

    [[noreturn]] void fail(const std::string& what) const {
        throw settings_error(std::string(p.name()) + ": " + what);
    }
    std::string setting(const factory_setting_spec& s) const { return "setting '" + std::string(s.key) + "'"; }

    const factory_setting_spec* find(std::string_view key) const {
        const auto& d = *p.descriptor;
        for (std::uint32_t i = 0; i < d.setting_count; ++i)
            if (key == d.settings[i].key) return &d.settings[i];
        return nullptr;
    }

    std::vector<std::string> keys() const {
        std::vector<std::string> keys;
        for (std::uint32_t i = 0; i < p.descriptor->setting_count; ++i) keys.emplace_back(p.descriptor->settings[i].key);
        return keys;
    }

    std::string known_keys() const {
        std::string keys;
        for (std::uint32_t i = 0; i < p.descriptor->setting_count; ++i)
            keys += (i ? ", " : "") + std::string(p.descriptor->settings[i].key);
        return keys;
    }

    void check_form(const factory_setting_spec& s, const std::string& value) const {
        if (plugins::check_form(s.type, value, s.choices)) return;
        const std::string want = s.type == FACTORY_SETTING_ENUM ? "one of " + std::string(s.choices)
                                                                 : describe_type(s.type);
        fail(setting(s) + " wants " + want + ", got '" + value + "'");
    }

    void check_input(const factory_setting_spec& s, const std::string& value) const {
        if (value == "-") return;
        const std::string self = setting(s) + ": file '" + value + "'";
        std::error_code ec;
        const auto st = fs::status(value, ec);
        if (!fs::exists(st)) {
            const fs::path tried = fs::absolute(value, ec);
            fail(self + " does not exist (looked for " + tried.lexically_normal().string() + "); check the path");
        }
        if (fs::is_directory(st)) fail(self + " is a folder; give a file");
        if (::access(value.c_str(), R_OK) != 0) fail(self + " cannot be read; check its permissions");
    }

    void check_output(const factory_setting_spec& s, const std::string& value) const {
        if (value == "-") return;
        const std::string self = setting(s) + ": '" + value + "'";
        std::error_code ec;
        const fs::path target(value);
        if (fs::exists(target, ec)) {
            const bool folder = fs::is_directory(target, ec);
            if (::access(value.c_str(), folder ? W_OK | X_OK : W_OK) != 0)
                fail(self + " cannot be written; check its permissions or choose another path");
            return;
        }
        fs::path folder = target.parent_path();
        if (folder.empty()) folder = ".";
        // Creating the folder now both proves that it can be created and spares each exporter
        // from doing it.
        fs::create_directories(folder, ec);
        if (ec) fail(self + ": cannot create its folder '" + folder.string() + "' (" + ec.message() + "); choose another path");
        if (::access(folder.c_str(), W_OK | X_OK) != 0)
            fail(self + ": its folder '" + folder.string() + "' is not writable; check its permissions or choose another path");
    }

    std::string canonical(const factory_setting_spec& s, const std::string& value) const {
        if (s.type == FACTORY_SETTING_STRING) return value;
        if (s.type == FACTORY_SETTING_BOOL) {
            bool b = false;
            values::parse_bool(value, b);
            return b ? "true" : "false";
        }
        return std::string(values::trim(value));
    }
};

std::string option_for(kind k) {
    switch (k) {
    case kind::source: return "the --source spec or the [source] table";
    case kind::blueprint: return "the --blueprint spec or the [blueprint] table";
    case kind::exporter: return "the --exporter spec or its [[exporter]] table";
    }
    return "the plugin's settings";
}

} // namespace

namespace {

// A relative file setting from a --config file names a file beside that file.
std::string based(const std::string& value, const fs::path& base_dir) {
    if (base_dir.empty() || value == "-" || value.empty() || fs::path(value).is_absolute()) return value;
    return (base_dir / value).lexically_normal().string();
}

} // namespace

resolved_settings check_settings(const plugin& p, const cli::setting_list& given, const fs::path& base_dir) {
    const checker c{p};
    for (std::size_t i = 0; i < given.size(); ++i) {
        const auto& [key, value] = given[i];
        if (c.find(key) == nullptr) {
            if (p.descriptor->setting_count == 0) c.fail("takes no settings; remove '" + key + "'");
            const std::string hint = cli::did_you_mean(key, c.keys());
            c.fail("unknown setting '" + key + "'; " + (hint.empty() ? "" : hint + " ") +
                   "known settings: " + c.known_keys());
        }
        for (std::size_t j = 0; j < i; ++j)
            if (given[j].first == key)
                c.fail("setting '" + key + "' is given twice ('" + given[j].second + "' and '" + value + "'); give it once");
    }

    resolved_settings result;
    const auto& d = *p.descriptor;
    for (std::uint32_t i = 0; i < d.setting_count; ++i) {
        const factory_setting_spec& s = d.settings[i];
        const std::pair<std::string, std::string>* found = nullptr;
        for (const auto& g : given)
            if (g.first == s.key) found = &g;
        if (found == nullptr && s.default_value == nullptr)
            c.fail(c.setting(s) + " is required (" + describe_type(s.type) + "); add " + s.key + "=VALUE to " +
                   option_for(p.type()));
        const std::string value = found != nullptr ? found->second : std::string(s.default_value);
        if (optional_path(s) && values::trim(value).empty()) {
            result.emplace_back(s.key, std::string()); // not given: nothing to check
            continue;
        }
        c.check_form(s, value);
        std::string text = c.canonical(s, value);
        if (s.type == FACTORY_SETTING_PATH_IN || s.type == FACTORY_SETTING_PATH_OUT) text = based(text, base_dir);
        if (s.type == FACTORY_SETTING_PATH_IN) c.check_input(s, text);
        if (s.type == FACTORY_SETTING_PATH_OUT) c.check_output(s, text);
        result.emplace_back(s.key, text);
    }
    return result;
}

} // namespace factory::plugins
