// The scalar settings of a run, each one key with one parser shared by the command line
// ("--max-age 10m") and the TOML file ("max-age = "10m""), so that both read a value the same way
// and fail with the same message. Plugins, --plugin-dir and --config are not scalar keys: the
// command line (command_line.cpp) and the file (config_file.cpp) handle them.
#pragma once

#include "cli/run_options.hpp"

#include <span>
#include <string>
#include <string_view>

namespace factory::cli {

struct run_key {
    const char* name;       // as in TOML; the option is "--" + name
    const char* group;      // heading in --help
    const char* value_name; // "N", "DUR", "SIZE", ...; nullptr for a flag (--quiet)
    const char* help;       // one line, without the default
    // Parses `text` into its field of `options`. Throws std::invalid_argument, one line starting with
    // `where` ("--workshops" or "run.toml: workshops"), saying what the key wants and what it got.
    void (*apply)(run_options& options, std::string_view text, const std::string& where);
    // The field's value as text in the key's form, for the defaults shown by --help.
    std::string (*show)(const run_options& options);
};

// Every scalar key, in --help order.
std::span<const run_key> run_keys();

// The key named `name`, or nullptr.
const run_key* find_run_key(std::string_view name);

// Checks what no single key can: that a production line holds at least one largest material.
// Throws std::invalid_argument naming the options involved.
void check_run_options(const run_options& options);

} // namespace factory::cli
