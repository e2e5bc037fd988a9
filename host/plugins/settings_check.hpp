// Checking the settings a user gave a plugin against the plugin's descriptor, before any process
// of the run starts. After this, a plugin's on_open sees every declared key, each in its type's form.
#pragma once

#include "cli/plugin_spec.hpp"
#include "plugins/plugin.hpp"

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace factory::plugins {

// A setting the plugin cannot take. One line, starting with the plugin's name and naming the
// setting: "widget: setting 'keys' wants a non-negative integer, got 'abc'".
class settings_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

using resolved_settings = std::vector<std::pair<std::string, std::string>>;

// Every setting `p` declares, in descriptor order, with the value given or else its default.
// Values are passed on as given, except that values of types other than string lose surrounding
// blanks and booleans become "true" or "false". Throws settings_error for: a key the plugin does
// not declare (the known keys are listed), a key given twice, a required setting not given, a
// value not in its type's form (values.hpp), a PATH_IN that does not exist, is a folder or cannot
// be read ("-", standard input, is accepted), a PATH_OUT that cannot be written: its folder is not
// writable, or is missing and cannot be created ("-", standard output, is accepted).
// Side effect: a missing folder of a PATH_OUT is created (with its parents).
// A relative PATH_IN or PATH_OUT value is taken relative to `base_dir` when that is not empty (a
// spec from a --config file: its folder). An unknown key names the closest known one when one is
// close ("did you mean"); a missing file is named by its absolute path.
resolved_settings check_settings(const plugin& p, const cli::setting_list& given,
                                 const std::filesystem::path& base_dir = {});

} // namespace factory::plugins
