// A plugin as the user names it: "NAME|FILE|PATH[:key=value,key=value,...]".
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace factory::cli {

using setting_list = std::vector<std::pair<std::string, std::string>>; // in the order given

struct plugin_spec {
    std::string target;     // a plugin name ("widget"), a file name ("libwidget.so") or a path
    setting_list settings;  // as written; checked later against the plugin's descriptor
    // Where relative file settings (PATH_IN, PATH_OUT) of this spec are: the --config file's folder
    // for a spec written there; empty (the working folder) for one given on the command line.
    std::filesystem::path base_dir;
};

// Parses "--blueprint" style text. A comma followed by text without '=' continues the previous
// value, so "jsonl:key=src,dst" sets key to "src,dst". Throws std::invalid_argument with a message
// naming `option` ("--source") and what is wrong.
plugin_spec parse_plugin_spec(std::string_view text, std::string_view option);

// The inverse, for logs and the `--print-config` output.
std::string to_string(const plugin_spec& spec);

} // namespace factory::cli
