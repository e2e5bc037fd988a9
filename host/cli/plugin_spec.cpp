#include "cli/plugin_spec.hpp"

#include <stdexcept>

namespace factory::cli {

plugin_spec parse_plugin_spec(std::string_view text, std::string_view option) {
    const std::string self(option);
    // The target ends at the first ':', so a path to a plugin may not hold one.
    const auto colon = text.find(':');
    plugin_spec spec;
    spec.target = std::string(text.substr(0, colon));
    if (spec.target.empty())
        throw std::invalid_argument(self + ": '" + std::string(text) +
                                    "' names no plugin; write NAME, FILE.so or PATH, then optionally :key=value,...");
    if (colon == std::string_view::npos) return spec;

    std::string_view rest = text.substr(colon + 1);
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        const std::string_view piece = rest.substr(0, comma);
        const auto eq = piece.find('=');
        if (eq == std::string_view::npos) {
            // Text without '=' after a comma belongs to the previous value: "key=src,dst".
            if (spec.settings.empty())
                throw std::invalid_argument(self + ": '" + std::string(piece) + "' in '" + std::string(text) +
                                            "' is not key=value; write " + spec.target + ":key=value,...");
            spec.settings.back().second += "," + std::string(piece);
        } else {
            if (eq == 0)
                throw std::invalid_argument(self + ": '" + std::string(piece) + "' in '" + std::string(text) +
                                            "' has no key before '='; write key=value");
            spec.settings.emplace_back(std::string(piece.substr(0, eq)), std::string(piece.substr(eq + 1)));
        }
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
        if (rest.empty()) {
            // A trailing comma: an empty piece, continuing the previous value like any other.
            if (spec.settings.empty()) break;
            spec.settings.back().second += ",";
        }
    }
    return spec;
}

std::string to_string(const plugin_spec& spec) {
    std::string text = spec.target;
    for (std::size_t i = 0; i < spec.settings.size(); ++i) {
        text += i == 0 ? ':' : ',';
        text += spec.settings[i].first + "=" + spec.settings[i].second;
    }
    return text;
}

} // namespace factory::cli
