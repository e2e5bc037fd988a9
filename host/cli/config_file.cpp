#include "cli/config_file.hpp"

#include "cli/run_keys.hpp"
#include "cli/suggest.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <sstream>
#include <stdexcept>
#include <string>

namespace factory::cli {
namespace {

namespace fs = std::filesystem;

struct reader {
    std::string file;
    fs::path folder; // absolute: relative paths written in the file are relative to it

    // A path written in the file, as the run must see it.
    std::string beside(const std::string& text) const {
        if (text.empty() || text == "-" || fs::path(text).is_absolute()) return text;
        return (folder / text).lexically_normal().string();
    }

    std::string at(const toml::node& n) const {
        return n.source().begin.line > 0 ? file + ":" + std::to_string(n.source().begin.line) : file;
    }
    [[noreturn]] void fail(const toml::node& n, const std::string& what) const {
        throw std::invalid_argument(at(n) + ": " + what);
    }

    std::string scalar_text(const toml::node& n, const std::string& key) const {
        switch (n.type()) {
        case toml::node_type::string: return n.as_string()->get();
        case toml::node_type::integer: return std::to_string(n.as_integer()->get());
        case toml::node_type::boolean: return n.as_boolean()->get() ? "true" : "false";
        case toml::node_type::floating_point: {
            char buf[64];
            auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), n.as_floating_point()->get());
            return std::string(buf, ec == std::errc{} ? end : buf);
        }
        case toml::node_type::date:
        case toml::node_type::time:
        case toml::node_type::date_time: {
            std::ostringstream out;
            n.visit([&](const auto& v) { out << v; });
            return out.str();
        }
        default: fail(n, key + " must be a single value (text, number or true/false), not a table or an array");
        }
    }

    // Keys in the order they were written, not the table's sorted order.
    static std::vector<std::pair<std::string, const toml::node*>> in_order(const toml::table& t) {
        std::vector<std::pair<std::string, const toml::node*>> items;
        for (auto&& [k, v] : t) items.emplace_back(std::string(k.str()), &v);
        std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
            const auto &x = a.second->source().begin, &y = b.second->source().begin;
            return x.line != y.line ? x.line < y.line : x.column < y.column;
        });
        return items;
    }

    plugin_spec spec(const toml::node& n, const std::string& role, const plugin_spec* keep) const {
        if (n.is_string()) {
            try {
                plugin_spec parsed = parse_plugin_spec(n.as_string()->get(), role);
                parsed.base_dir = folder;
                return parsed;
            } catch (const std::invalid_argument& e) {
                fail(n, e.what());
            }
        }
        if (!n.is_table()) fail(n, role + " must be a table ([" + role + "]) or a spec string such as \"name:key=value\"");
        plugin_spec result;
        result.base_dir = folder;
        if (keep != nullptr) result.target = keep->target;
        for (const auto& [key, value] : in_order(*n.as_table())) {
            if (key == "plugin") result.target = scalar_text(*value, role + ".plugin");
            else result.settings.emplace_back(key, scalar_text(*value, role + "." + key));
        }
        if (result.target.empty())
            fail(n, "[" + role + "] needs plugin = \"name-or-path\"");
        return result;
    }

    void exporters(run_options& o, const toml::node& n) const {
        o.exporters.clear();
        if (const auto* list = n.as_array()) {
            for (const auto& item : *list) o.exporters.push_back(spec(item, "exporter", nullptr));
            if (o.exporters.empty()) fail(n, "exporter is an empty list; remove it for the default exporter");
        } else {
            o.exporters.push_back(spec(n, "exporter", nullptr));
        }
    }

    void plugin_dirs(run_options& o, const toml::node& n) const {
        if (const auto* list = n.as_array()) {
            for (const auto& item : *list) {
                if (!item.is_string()) fail(item, "plugin-dir must hold folder names as strings");
                o.plugin_dirs.emplace_back(beside(item.as_string()->get()));
            }
        } else if (n.is_string()) {
            o.plugin_dirs.emplace_back(beside(n.as_string()->get()));
        } else {
            fail(n, "plugin-dir must be a folder name or a list of them");
        }
    }

    std::string known_keys() const {
        std::string list = "source, blueprint, exporter, plugin-dir";
        for (const auto& k : run_keys()) list += std::string(", ") + k.name;
        return list;
    }

    void apply(run_options& o, const toml::table& root) const {
        std::vector<std::string> seen;
        for (const auto& [written, node] : in_order(root)) {
            std::string key = written;
            std::replace(key.begin(), key.end(), '_', '-');
            if (std::find(seen.begin(), seen.end(), key) != seen.end())
                fail(*node, "'" + written + "' sets " + key + " a second time; keep one");
            seen.push_back(key);

            if (key == "source") o.source = spec(*node, "source", &o.source);
            else if (key == "blueprint") o.blueprint = spec(*node, "blueprint", &o.blueprint);
            else if (key == "exporter") exporters(o, *node);
            else if (key == "plugin-dir") plugin_dirs(o, *node);
            else if (const run_key* k = find_run_key(key)) {
                std::string text = scalar_text(*node, written);
                if (key == "dead-letter" || key == "summary-json") text = beside(text);
                try {
                    k->apply(o, text, written);
                } catch (const std::invalid_argument& e) {
                    fail(*node, e.what());
                }
            } else {
                std::vector<std::string> names = {"source", "blueprint", "exporter", "plugin-dir"};
                for (const auto& k : run_keys()) names.emplace_back(k.name);
                std::string hint = did_you_mean(key, names);
                fail(*node, "unknown key '" + written + "'; " + (hint.empty() ? "" : hint + " ") + "known keys: " +
                                known_keys() + "; fix or remove it");
            }
        }
    }
};

} // namespace

void apply_config_file(run_options& options, const fs::path& file) {
    std::error_code ec;
    const fs::path absolute = fs::absolute(file, ec).lexically_normal();
    const reader r{file.string(), absolute.parent_path()};
    if (!fs::is_regular_file(file, ec))
        throw std::invalid_argument("--config: " + r.file +
                                    (fs::exists(file, ec) ? " is not a file" : " does not exist (looked for " +
                                                                                   absolute.string() + ")") +
                                    "; check the path");
    toml::table root;
    try {
        root = toml::parse_file(file.string());
    } catch (const toml::parse_error& e) {
        const auto& pos = e.source().begin;
        throw std::invalid_argument(r.file + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column) + ": " +
                                    std::string(e.description()) + "; fix the TOML");
    }
    r.apply(options, root);
    options.config_file = file;
}

} // namespace factory::cli
