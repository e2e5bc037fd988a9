#include "sessions.hpp"

namespace example::sessions {

session_blueprint::session_blueprint(const factory::settings& s, factory::host h)
    : blueprint(h),
      counter_(s.string("bytes_field")),
      progress_(parse_progress_mode(s.text("progress"))),
      max_materials_(s.uinteger("max_materials")) {}

void session_blueprint::on_hire(worker&, const factory::material& m) {
    // Counting the first material here as well (on_material counts it again) refuses a material
    // that cannot be counted before a worker exists for it, so no session is ever empty.
    (void)counter_.bytes_of(m);
}

factory::verdict session_blueprint::on_material(worker& w, const factory::material& m) {
    session_state& s = w.state();
    add(s, m.time_ns(), counter_.bytes_of(m));
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
