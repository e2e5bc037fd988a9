// The command line of factory-host:
//   factory-host [options]               run (options: run_options, from --help)
//   factory-host plugins [NAME] [--plugin-dir DIR]...
//   factory-host checkpoints DIR [--json]
// with an optional TOML file (--config FILE, config_file.hpp) under the command line's values.
#pragma once

#include "cli/run_options.hpp"

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace factory::cli {

struct invocation {
    enum class command { run, plugins, checkpoints, exit };
    command what = command::exit;
    run_options run;                           // command::run: everything checked
    std::optional<std::string> plugin_name;    // command::plugins: the NAME given, if any
    std::vector<std::filesystem::path> plugin_dirs; // run and plugins: --plugin-dir, then the file's
    std::filesystem::path checkpoint_dir;      // command::checkpoints: the DIR given
    bool json = false;                         // command::checkpoints: --json
    int exit_code = 0;                         // command::exit: what the process should return
};

// Parses the command line (and the --config file it names). --help and --version print to `out`
// and give command::exit with exit_code 0; a usage error prints one line to `err` naming the option
// (or file and key) and what it wants, and gives command::exit with exit_code 2. Never throws for
// bad input.
//
// Precedence: a value on the command line wins over the file's, which wins over run_options'
// defaults. --source, --blueprint or any --exporter replaces the file's plugin and settings of
// that role (all of the file's exporters, for --exporter). --plugin-dir folders come before the
// file's plugin-dir ones.
invocation parse(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

// "factory-host 0.1.0 (plugin ABI 1)".
std::string version_line();

} // namespace factory::cli
