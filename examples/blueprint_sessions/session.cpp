#include "session.hpp"

#include <factory/settings.hpp>

#include <cstring>
#include <string>

namespace example::sessions {

progress_mode parse_progress_mode(std::string_view text) {
    if (text == "changed") return progress_mode::changed;
    if (text == "always") return progress_mode::always;
    if (text == "off") return progress_mode::off;
    throw factory::error("setting 'progress' is '" + std::string(text) +
                         "'; use changed, always or off");
}

void add(session_state& s, std::int64_t time_ns, std::uint64_t bytes) noexcept {
    if (s.materials == 0) {
        s.start_ns = s.end_ns = time_ns;
    } else {
        // Sources may deliver a pid's materials slightly out of order (several capture points,
        // merged files): the session spans the earliest to the latest, not the first to the last.
        if (time_ns < s.start_ns) s.start_ns = time_ns;
        if (time_ns > s.end_ns) s.end_ns = time_ns;
    }
    ++s.materials;
    s.bytes += bytes;
}

bool take_progress(session_state& s, progress_mode mode, std::uint64_t pid, std::int64_t now_ns,
                   progress_product& out) noexcept {
    if (mode == progress_mode::off || s.materials == 0) return false;
    if (mode == progress_mode::changed && s.materials == s.reported_materials) return false;
    out = progress_product{};
    out.pid = pid;
    out.start.value = s.start_ns;
    out.at.value = now_ns;
    out.materials = s.materials;
    out.bytes = s.bytes;
    out.new_materials = s.materials - s.reported_materials;
    out.new_bytes = s.bytes - s.reported_bytes;
    out.report = ++s.reports;
    s.reported_materials = s.materials;
    s.reported_bytes = s.bytes;
    return true;
}

session_product finish(const session_state& s, std::uint64_t pid, factory::fire_reason reason) noexcept {
    session_product p{};
    p.pid = pid;
    p.start.value = s.start_ns;
    p.end.value = s.end_ns;
    p.duration_ns = s.end_ns - s.start_ns;
    p.materials = s.materials;
    p.bytes = s.bytes;
    p.bytes_per_second = p.duration_ns > 0 ? static_cast<double>(s.bytes) * 1e9 / static_cast<double>(p.duration_ns) : 0.0;
    p.reports = s.reports;
    // The longest reason, "shutdown", fills the field exactly: string fields need no final NUL.
    const std::string_view name = factory::to_string(reason);
    std::memcpy(p.end_reason, name.data(), name.size() < sizeof p.end_reason ? name.size() : sizeof p.end_reason);
    return p;
}

} // namespace example::sessions
