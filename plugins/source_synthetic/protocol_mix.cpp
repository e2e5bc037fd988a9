#include "protocol_mix.hpp"

#include <factory/settings.hpp>
#include <factory/util/values.hpp>

#include <string>
#include <vector>

namespace factory::synthetic {
namespace {

struct entry {
    std::uint8_t protocol;
    std::uint64_t weight;
};

[[noreturn]] void bad(std::string_view item, const char* why) {
    throw factory::error("setting 'protocols': bad entry '" + std::string(item) + "': " + why +
                         " (write name:weight pairs such as tcp:70,udp:25,icmp:5)");
}

entry parse_entry(std::string_view item) {
    auto colon = item.find(':');
    if (colon == std::string_view::npos) bad(item, "expected name:weight");
    std::string_view name = values::trim(item.substr(0, colon));
    std::uint64_t weight = 0;
    if (!values::parse_uint(item.substr(colon + 1), weight) || weight > 1'000'000'000)
        bad(item, "the weight is not an integer from 0 to 1000000000");
    std::uint64_t number = 0;
    if (values::equals_nocase(name, "tcp")) number = 6;
    else if (values::equals_nocase(name, "udp")) number = 17;
    else if (values::equals_nocase(name, "icmp")) number = 1;
    else if (!values::parse_uint(name, number) || number > 255)
        bad(item, "the name is not tcp, udp, icmp or a protocol number 0-255");
    return entry{static_cast<std::uint8_t>(number), weight};
}

} // namespace

protocol_table parse_protocol_mix(std::string_view text) {
    std::vector<entry> entries;
    std::uint64_t total = 0;
    while (!text.empty()) {
        auto comma = text.find(',');
        std::string_view item = values::trim(text.substr(0, comma));
        if (!item.empty()) {
            entries.push_back(parse_entry(item));
            total += entries.back().weight;
        }
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    if (total == 0)
        throw factory::error("setting 'protocols': the weights add up to 0; give at least one "
                             "protocol a positive weight, e.g. tcp:70,udp:25,icmp:5");
    protocol_table table{};
    // Slot s takes the protocol whose cumulative weight range holds the slot's midpoint.
    std::size_t e = 0;
    std::uint64_t upper = entries[0].weight;
    for (unsigned s = 0; s < table.size(); ++s) {
        std::uint64_t mid2 = (2 * s + 1) * total; // midpoint * 512
        while (upper * 512 <= mid2) upper += entries[++e].weight;
        table[s].protocol = entries[e].protocol;
        table[s].has_ports = entries[e].protocol == 6 || entries[e].protocol == 17;
    }
    return table;
}

} // namespace factory::synthetic
