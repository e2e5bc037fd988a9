#include "cli/command_line.hpp"

#include "build_info.hpp"
#include "cli/config_file.hpp"
#include "cli/run_keys.hpp"
#include "cli/suggest.hpp"

#include <factory/abi.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <map>
#include <stdexcept>

namespace factory::cli {
namespace {

// Every value CLI11 collects, as text: run_keys.hpp parses them, the same way as the file's.
struct given {
    std::string source, blueprint, config;
    std::vector<std::string> exporters, plugin_dirs, plugins_dirs;
    std::optional<std::string> plugin_name;
    std::map<std::string, std::string> text; // by key name; std::map: CLI11 keeps pointers into it
    std::map<std::string, bool> flags; // by key name, for keys without a value (--quiet)
    std::map<std::string, CLI::Option*> options;
    CLI::Option *source_opt = nullptr, *blueprint_opt = nullptr, *exporter_opt = nullptr;
    CLI::App* plugins = nullptr;
    CLI::App* checkpoints = nullptr;
    std::string checkpoint_dir;
    bool json = false;
};

std::string with_default(const run_key& k, const run_options& defaults) {
    const std::string shown = k.value_name != nullptr ? k.show(defaults) : std::string();
    return shown.empty() ? k.help : std::string(k.help) + " [default: " + shown + "]";
}

void define(CLI::App& app, given& g) {
    const run_options defaults;
    app.set_help_flag("-h,--help", "print this help and exit");
    app.set_version_flag("--version", version_line(), "print the version and the plugin ABI, and exit");
    app.footer("Durations: 500ms, 5s, 2m, 1h (a bare number is seconds). Sizes: 4096, 64KiB, 4MiB.\n"
               "Contracts, inspectors and --max-age count whole milliseconds: a gap is measured between\n"
               "floored 1 ms ticks of the clock (--clock).\n"
               "Every option may also be set in the --config file, as key = value without the dashes.");
    app.get_formatter()->column_width(34);
    app.require_subcommand(0, 1);

    const char* spec = "NAME|FILE.so|PATH[:key=value,...] (a comma followed by text without '=' continues the value)";
    g.source_opt = app.add_option("--source", g.source, std::string("the purchasing plugin: ") + spec +
                                  " [default: " + to_string(defaults.source) + "]")
                       ->type_name("SPEC")->group("Plugins");
    g.blueprint_opt = app.add_option("--blueprint", g.blueprint, std::string("the production plugin [default: ") +
                                     to_string(defaults.blueprint) + "]")
                          ->type_name("SPEC")->group("Plugins");
    g.exporter_opt = app.add_option("--exporter", g.exporters, "a transportation plugin; repeat for several "
                                    "[default: jsonl into factory-out/]")
                         ->type_name("SPEC")->group("Plugins");
    app.add_option("--plugin-dir", g.plugin_dirs, "also look for plugins in DIR, before the installed plugins folder "
                   "and ./plugins; repeatable")
        ->type_name("DIR")->group("Plugins");

    for (const run_key& k : run_keys()) {
        const std::string name = std::string("--") + k.name;
        CLI::Option* o = k.value_name == nullptr
                             ? app.add_flag(name, g.flags[k.name], with_default(k, defaults))
                             : app.add_option(name, g.text[k.name], with_default(k, defaults))->type_name(k.value_name);
        g.options[k.name] = o->group(k.group);
    }
    app.add_option("--config", g.config, "read settings from this TOML file; the command line wins over it")
        ->type_name("FILE")->group("Run");

    g.plugins = app.add_subcommand("plugins", "list the plugins found, or show one plugin's settings and products");
    g.plugins->set_help_flag("-h,--help", "print this help and exit");
    g.plugins->add_option("NAME", g.plugin_name, "a plugin name, file name or path to show")->type_name("");
    g.plugins->add_option("--plugin-dir", g.plugins_dirs, "also look for plugins in DIR; repeatable")->type_name("DIR");
    g.plugins->add_option("--config", g.config, "take plugin-dir from this TOML file")->type_name("FILE");

    g.checkpoints = app.add_subcommand("checkpoints", "list the checkpoints in a job's checkpoint folder, and the one "
                                       "a run would resume from");
    g.checkpoints->set_help_flag("-h,--help", "print this help and exit");
    g.checkpoints->add_option("DIR", g.checkpoint_dir, "the checkpoint folder")->type_name("")->required();
    g.checkpoints->add_flag("--json", g.json, "print the list as JSON");
}

run_options build(const given& g) {
    run_options r;
    if (!g.config.empty()) apply_config_file(r, g.config);

    for (const run_key& k : run_keys()) {
        if (g.options.at(k.name)->count() == 0) continue;
        const std::string text = k.value_name == nullptr ? (g.flags.at(k.name) ? "true" : "false") : g.text.at(k.name);
        k.apply(r, text, std::string("--") + k.name);
    }
    if (g.source_opt->count() > 0) r.source = parse_plugin_spec(g.source, "--source");
    if (g.blueprint_opt->count() > 0) r.blueprint = parse_plugin_spec(g.blueprint, "--blueprint");
    if (g.exporter_opt->count() > 0) {
        r.exporters.clear();
        for (const auto& e : g.exporters) r.exporters.push_back(parse_plugin_spec(e, "--exporter"));
    }

    std::vector<std::filesystem::path> dirs(g.plugin_dirs.begin(), g.plugin_dirs.end());
    dirs.insert(dirs.end(), g.plugins_dirs.begin(), g.plugins_dirs.end());
    for (const auto& d : dirs)
        if (d.empty()) throw std::invalid_argument("--plugin-dir: an empty folder name; give a folder");
    dirs.insert(dirs.end(), r.plugin_dirs.begin(), r.plugin_dirs.end());
    r.plugin_dirs = std::move(dirs);

    check_run_options(r);
    return r;
}

// "did you mean '--contract'?" for the first --word of argv that names no option, if one is close.
std::string option_hint(const CLI::App& app, const given& g, int argc, const char* const* argv) {
    std::vector<std::string> names;
    for (const CLI::App* a : {&app, static_cast<const CLI::App*>(g.plugins), static_cast<const CLI::App*>(g.checkpoints)})
        for (const CLI::Option* o : a->get_options())
            for (const auto& n : o->get_lnames()) names.push_back(n);
    for (int i = 1; i < argc; ++i) {
        const std::string_view word = argv[i];
        if (!word.starts_with("--") || word.size() == 2) continue;
        const std::string name(word.substr(2, word.find('=') - 2));
        if (std::find(names.begin(), names.end(), name) != names.end()) continue;
        return did_you_mean(name, names, "--");
    }
    return {};
}

} // namespace

std::string version_line() {
    return std::string("factory-host ") + build::version + " (plugin ABI " + std::to_string(FACTORY_ABI_VERSION) + ")";
}

invocation parse(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
    invocation inv;
    CLI::App app{"factory-host: keyed record streams on every core, the per-record logic in plugins", "factory-host"};
    given g;
    define(app, g);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        inv.exit_code = e.get_exit_code() == 0 ? app.exit(e, out, err) : 2;
        if (inv.exit_code != 0) {
            const std::string hint = dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr
                                         ? option_hint(app, g, argc, argv) : std::string();
            err << "factory-host: " << e.what() << (hint.empty() ? "" : "; " + hint) << "; see 'factory-host --help'\n";
        }
        return inv;
    }
    try {
        inv.run = build(g);
    } catch (const std::exception& e) {
        err << "factory-host: " << e.what() << '\n';
        inv.exit_code = 2;
        return inv;
    }
    inv.plugin_dirs = inv.run.plugin_dirs;
    if (g.plugins->parsed()) {
        inv.what = invocation::command::plugins;
        inv.plugin_name = g.plugin_name;
    } else if (g.checkpoints->parsed()) {
        inv.what = invocation::command::checkpoints;
        inv.checkpoint_dir = g.checkpoint_dir;
        inv.json = g.json;
    } else {
        inv.what = invocation::command::run;
    }
    return inv;
}

} // namespace factory::cli
