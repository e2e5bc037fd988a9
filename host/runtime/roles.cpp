#include "runtime/roles.hpp"

#include <cstdlib>
#include <string_view>

#include <unistd.h>

namespace factory::runtime {

std::string role_name(role r, std::uint32_t index) {
    switch (r) {
    case role::purchasing: return "purchasing";
    case role::workshop: return "workshop " + std::to_string(index + 1);
    case role::transportation: return "transportation";
    }
    return "unknown";
}

std::optional<child_identity> identity_from_env() {
    const char* r = std::getenv(role_env);
    const char* s = std::getenv(segment_env);
    if (r == nullptr || s == nullptr) return std::nullopt;
    std::string_view v(r);
    child_identity id;
    id.segment = s;
    id.host_pid = static_cast<int>(::getppid());
    if (v == "purchasing") {
        id.what = role::purchasing;
    } else if (v == "transportation") {
        id.what = role::transportation;
    } else if (v.rfind("workshop:", 0) == 0) {
        id.what = role::workshop;
        id.index = static_cast<std::uint32_t>(std::strtoul(r + 9, nullptr, 10));
    } else {
        return std::nullopt;
    }
    return id;
}

} // namespace factory::runtime
