#include "plugins/plugin.hpp"

namespace factory::plugins {

const char* to_string(kind k) noexcept {
    switch (k) {
    case kind::source: return "source";
    case kind::blueprint: return "blueprint";
    case kind::exporter: return "exporter";
    }
    return "unknown";
}

std::optional<kind> kind_from_raw(std::uint32_t raw) noexcept {
    switch (raw) {
    case FACTORY_KIND_SOURCE: return kind::source;
    case FACTORY_KIND_BLUEPRINT: return kind::blueprint;
    case FACTORY_KIND_EXPORTER: return kind::exporter;
    default: return std::nullopt;
    }
}

} // namespace factory::plugins
