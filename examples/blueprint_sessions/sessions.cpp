#include "sessions.hpp"

namespace example::sessions {

session_blueprint::session_blueprint(const factory::settings& s, factory::host h)
    : blueprint(h),
      counter_(s.string("bytes_field")),
      progress_(parse_progress_mode(s.text("progress"))),
      max_materials_(s.uinteger("max_materials")) {}

factory::verdict session_blueprint::on_material(worker& w, const factory::material& m) {
    // A refused first material leaves no worker behind (abi.h), so no session is ever empty.
    std::uint64_t bytes = 0;
    if (!counter_.bytes_of(m, bytes)) return refuse("%s", counter_.why());
    session_state& s = w.state();
    add(s, m.time_ns(), bytes);
    if (max_materials_ != 0 && s.materials >= max_materials_) return factory::verdict::done;
    return factory::verdict::keep;
}

factory::verdict session_blueprint::on_inspect(worker& w, std::int64_t now_ns) {
    progress_product p;
    if (take_progress(w.state(), progress_, w.pid(), now_ns, p)) ship(w.pid(), pclass_progress, p);
    return factory::verdict::keep;
}

void session_blueprint::on_fire(worker& w, factory::fire_reason reason, std::int64_t) {
    const session_state& s = w.state();
    if (s.materials == 0) return;
    ship(w.pid(), pclass_session, finish(s, w.pid(), reason));
}

} // namespace example::sessions
