// The TOML run file (--config FILE): the same keys as the command line, without the dashes.
//
//   workshops = 4                 # any scalar key of run_keys.hpp; max_age and max-age both work
//   contract = "5s"               # a bare number of a duration is seconds: contract = 5
//   plugin-dir = ["./my-plugins"] # or one string; searched after any --plugin-dir
//   [source]
//   plugin = "jsonl"              # a plugin name, a .so file name or a path
//   path = "flows.jsonl"          # every other key is one of the plugin's own settings; a value of
//   [blueprint]                   # any scalar TOML type is passed on as text (keys = 16 -> "16")
//   plugin = "widget"
//   [[exporter]]                  # one table per exporter, in order
//   plugin = "jsonl"
//   path = "out/"
//
// A plugin role may also be one spec string, as on the command line: source = "jsonl:path=x".
// Relative paths mean the same as on the command line: relative to the current folder.
#pragma once

#include "cli/run_options.hpp"

#include <filesystem>

namespace factory::cli {

// Reads `file` into `options`, over what they hold, and sets options.config_file. [source] or
// [blueprint] without a plugin key keeps the plugin already chosen and sets its settings; an
// [[exporter]] needs one. Throws std::invalid_argument, one line naming the file (with the line)
// and the key: the file cannot be read or is not valid TOML, an unknown key (the known ones are
// listed), a value of the wrong type or form.
void apply_config_file(run_options& options, const std::filesystem::path& file);

} // namespace factory::cli
