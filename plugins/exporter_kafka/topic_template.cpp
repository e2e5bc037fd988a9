#include "topic_template.hpp"

#include <factory/settings.hpp>

namespace factory::kafka {
namespace {

constexpr std::string_view placeholder = "{pclass}";

bool legal_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
}

} // namespace

bool per_pclass(std::string_view tmpl) noexcept { return tmpl.find(placeholder) != std::string_view::npos; }

std::string topic_for(std::string_view tmpl, std::string_view pclass) {
    std::string out;
    for (std::size_t i = 0; i < tmpl.size();) {
        if (tmpl.substr(i, placeholder.size()) == placeholder) {
            out.append(pclass);
            i += placeholder.size();
            continue;
        }
        if (tmpl[i] == '{' || tmpl[i] == '}')
            throw factory::error("setting 'topic': '" + std::string(tmpl) + "' has a '" + tmpl[i] +
                                 "' that is not part of {pclass}, the one placeholder a topic may hold");
        out.push_back(tmpl[i++]);
    }
    if (out.empty() || out.size() > 249 || out == "." || out == "..")
        throw factory::error("setting 'topic': '" + out + "' is not a Kafka topic name (1 to 249 characters, not '.' "
                             "or '..')");
    for (char c : out)
        if (!legal_char(c))
            throw factory::error("setting 'topic': '" + out + "' holds '" + c +
                                 "'; a Kafka topic name holds only a-z A-Z 0-9 . _ -");
    return out;
}

} // namespace factory::kafka
