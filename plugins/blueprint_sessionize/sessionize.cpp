#include "sessionize.hpp"

#include <factory/abi.h>

#include <cstring>

namespace factory::sessionize {

namespace {
// Materials up to this size are parsed without growing the reader's buffer; larger ones grow it
// once. The host's default largest material (--max-material) is 64 KiB.
constexpr std::size_t expected_max_material = 64 * 1024;
} // namespace

sessionize::sessionize(const factory::settings& s, factory::host h)
    : blueprint(h), reader_(s.string("page"), expected_max_material) {
    if (reader_.page_field().empty())
        throw factory::error("setting 'page' is empty; name the click event's page field (e.g. page=url)");
}

factory::verdict sessionize::on_material(worker& w, const factory::material& m) noexcept {
    std::string_view page;
    if (const click_record* c = m.record<click_record>()) {
        page = std::string_view(c->page, ::strnlen(c->page, sizeof c->page));
        if (page.empty())
            return refuse("page field 'page' of the typed record: missing or empty (the jsonl source reads member "
                          "'page'; rename=page=MEMBER reads another)");
    } else {
        if (m.format() != FACTORY_FORMAT_JSON) return refuse("not a JSON material (format %u)", m.format());
        const char* why = nullptr;
        if (!reader_.read(m.text(), page, why)) return refuse("page field '%s': %s", reader_.page_field().c_str(), why);
    }
    session_state& s = w.state();
    const std::int64_t t = m.time_ns();
    // A refused first material leaves no worker behind, so clicks == 0 means a new session.
    if (s.clicks == 0 || t < s.start_ns) s.start_ns = t;
    if (s.clicks == 0 || t > s.end_ns) s.end_ns = t;
    ++s.clicks;
    s.pages.add(page);
    return factory::verdict::keep;
}

void sessionize::on_fire(worker& w, factory::fire_reason reason, std::int64_t) {
    const session_state& s = w.state();
    if (s.clicks == 0) return;
    session_product p{};
    p.pid = w.pid();
    p.start_ns = s.start_ns;
    p.end_ns = s.end_ns;
    p.clicks = s.clicks;
    p.pages = s.pages.estimate();
    p.end_reason = static_cast<std::uint8_t>(reason);
    ship(w.pid(), 0, p);
}

} // namespace factory::sessionize
