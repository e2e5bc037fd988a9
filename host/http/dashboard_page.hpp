// The dashboard: one self-contained HTML page (CSS and JS inline, nothing fetched from elsewhere)
// that draws the factory as its departments, purchasing -> production lines -> workshops -> lanes
// -> transportation -> exporters, and redraws it every second from /api/status. The page carries
// the latest status in it, so it shows figures at once, before its first poll.
#pragma once

#include <string>
#include <string_view>

namespace factory::http {

// The page with `status_json` (a /api/status document) embedded as its first figures.
std::string render_dashboard(std::string_view status_json);

} // namespace factory::http
