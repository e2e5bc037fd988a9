#include "plugins/plugins_command.hpp"

#include "cli/suggest.hpp"
#include "plugins/loader.hpp"
#include "plugins/resolve.hpp"
#include "plugins/scan.hpp"
#include "plugins/setting_types.hpp"
#include "plugins/state_fingerprint.hpp"
#include "plugins/text_table.hpp"

#include <factory/schema.hpp>
#include <factory/util/values.hpp>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace factory::plugins {
namespace {

constexpr kind all_kinds[] = {kind::source, kind::blueprint, kind::exporter};

std::string text(const char* s) { return s != nullptr ? s : ""; }

// The file resolve() would pick for this plugin's name and kind, so that the listing marks the
// others as unused exactly as a run would see them.
std::string used_note(const plugin& p, const search_path& path) {
    try {
        auto chosen = find_by_name(std::string(p.name()), p.type(), path);
        if (chosen && chosen->file != p.file) return " (not used: " + chosen->file.string() + " comes first)";
    } catch (const std::exception&) {
        // The name leads to a broken file first; that file's own entry carries the error.
    }
    return {};
}

int list(const search_path& path, std::ostream& out) {
    const auto entries = scan(path);
    text_table table({"NAME", "KIND", "VERSION", "DESCRIPTION", "FILE"});
    std::vector<std::string> broken;
    for (const auto& e : entries) {
        if (!e.loaded) {
            broken.push_back(e.error);
            continue;
        }
        const plugin& p = *e.loaded;
        table.add({std::string(p.name()), to_string(p.type()), std::string(p.version()),
                   std::string(p.description()), p.file.string() + used_note(p, path)});
    }
    out << "Plugins in " << describe_dirs(path) << ":\n";
    if (table.empty()) out << "  none; add a folder with --plugin-dir\n";
    else table.print(out);
    if (!broken.empty()) {
        out << "\nNot usable:\n";
        for (const auto& line : broken) out << "  " << line << '\n';
    }
    return 0;
}

void show_settings(const factory_descriptor& d, std::ostream& out) {
    if (d.setting_count == 0) {
        out << "settings: none\n";
        return;
    }
    out << "settings:\n";
    text_table table({"KEY", "TYPE", "DEFAULT", "CHOICES", "HELP"});
    for (std::uint32_t i = 0; i < d.setting_count; ++i) {
        const auto& s = d.settings[i];
        table.add({s.key, type_name(s.type), s.default_value != nullptr ? s.default_value : "required",
                   text(s.choices), text(s.help)});
    }
    table.print(out, "  ");
}

// The descriptor's notes, each line indented under a heading; nothing when it has none.
void show_notes(const factory_descriptor& d, std::ostream& out) {
    if (d.notes == nullptr || *d.notes == '\0') return;
    out << "notes:\n";
    std::string_view rest = d.notes;
    while (!rest.empty()) {
        const auto end = rest.find('\n');
        const std::string_view line = rest.substr(0, end);
        out << (line.empty() ? "" : "  ") << line << '\n';
        if (end == std::string_view::npos) break;
        rest.remove_prefix(end + 1);
    }
}

void show_pclasses(const factory_descriptor& d, std::ostream& out) {
    out << "product classes:" << (d.pclass_count == 0 ? " none\n" : "\n");
    for (std::uint32_t i = 0; i < d.pclass_count; ++i) {
        const auto& pc = d.pclasses[i];
        out << "  " << pc.name << " (" << pc.record_size << " bytes)\n";
        text_table table({"FIELD", "TYPE", "OFFSET", "SIZE"});
        for (std::uint32_t f = 0; f < pc.field_count; ++f) {
            const auto& fd = pc.fields[f];
            table.add({fd.name, field_type_name(fd.type), std::to_string(fd.offset), std::to_string(fd.size)});
        }
        table.print(out, "    ");
    }
}

// One line on what the plugin does under --checkpoint.
void show_checkpoints(const factory_descriptor& d, kind k, std::ostream& out) {
    out << "checkpoints: ";
    switch (k) {
    case kind::source:
        out << (d.source->on_position != nullptr ? "resumable (position and seek)"
                                                 : "cannot resume (no position hooks)");
        break;
    case kind::exporter:
        out << (d.exporter->on_commit != nullptr ? "exactly once (commits epochs)"
                                                 : "at least once (cannot take back what it exported)");
        break;
    case kind::blueprint: {
        char hex[17];
        std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(state_fingerprint(d)));
        out << "state " << hex << (d.state_layout != nullptr ? " (its declared fields)" : " (size and align only)");
        if (d.state_previous != nullptr) {
            std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(previous_state_fingerprint(d)));
            out << ", upgrades from state " << hex;
        } else {
            out << ", upgrades from no older state";
        }
        break;
    }
    }
    out << '\n';
}

// One line on typed materials: what a source can fill, what a blueprint reads.
void show_materials(const factory_descriptor& d, kind k, std::ostream& out) {
    if (k == kind::exporter) return;
    out << "materials: ";
    if (k == kind::source) {
        out << ((d.material_flags & FACTORY_MATERIAL_FILLS_RECORDS) != 0 ? "fills typed records (a blueprint's material layout)"
                                                                       : "raw only (cannot fill typed records)");
    } else if (d.material_layout == nullptr) {
        out << "raw (declares no material layout)";
    } else {
        const factory_pclass& l = *d.material_layout;
        out << "typed record of " << l.record_size << " bytes:";
        for (std::uint32_t f = 0; f < l.field_count; ++f)
            out << (f == 0 ? " " : ", ") << l.fields[f].name << ' ' << field_type_name(l.fields[f].type)
                << (l.fields[f].type == FACTORY_FIELD_STRING ? "[" + std::to_string(l.fields[f].size) + "]" : "");
        out << ((d.material_flags & FACTORY_MATERIAL_TAKES_RAW) != 0 ? "; raw materials too"
                                                                      : "; needs a source that fills it");
    }
    out << '\n';
}

void show(const plugin& p, std::ostream& out) {
    out << p.name() << " " << p.version() << " (" << to_string(p.type()) << "): " << p.description() << '\n';
    out << "file: " << p.file.string() << '\n';
    show_checkpoints(*p.descriptor, p.type(), out);
    show_materials(*p.descriptor, p.type(), out);
    show_settings(*p.descriptor, out);
    show_notes(*p.descriptor, out);
    if (p.type() == kind::blueprint) show_pclasses(*p.descriptor, out);
}

} // namespace

int plugins_command(const search_path& path, const std::optional<std::string>& name, std::ostream& out,
                    std::ostream& err) {
    if (!name) return list(path, out);
    const std::string& target = *name;

    std::vector<plugin> found;
    std::vector<std::string> errors;
    try {
        if (target.find('/') != std::string::npos) {
            found.push_back(load_file(target));
        } else if (target.ends_with(".so")) {
            if (auto file = find_file(target, path)) found.push_back(load_file(*file));
            else errors.push_back("no plugin file " + target + " in " + describe_dirs(path) +
                                  "; list the plugins with 'factory-host plugins'");
        } else {
            for (kind k : all_kinds) {
                try {
                    if (auto p = find_by_name(target, k, path)) found.push_back(*p);
                } catch (const load_error& e) {
                    // A broken lib<name>.so stops the lookup of every kind: say it once.
                    if (std::find(errors.begin(), errors.end(), e.what()) == errors.end()) errors.push_back(e.what());
                }
            }
        }
    } catch (const load_error& e) {
        errors.push_back(e.what());
    }

    for (std::size_t i = 0; i < found.size(); ++i) {
        if (i > 0) out << '\n';
        show(found[i], out);
    }
    for (const auto& e : errors) err << e << '\n';
    if (!found.empty()) return 0;
    if (errors.empty()) {
        std::vector<std::string> names;
        for (const auto& e : scan(path))
            if (e.loaded) names.emplace_back(e.loaded->name());
        const std::string hint = cli::did_you_mean(target, names);
        err << "no plugin named '" << target << "'" << (hint.empty() ? "" : "; " + hint) << " in "
            << describe_dirs(path)
            << "; list the plugins with 'factory-host plugins', or add a folder with --plugin-dir\n";
    }
    return 1;
}

} // namespace factory::plugins
