#include "widget.hpp"

namespace factory::widget {

widget::widget(const factory::settings& s, factory::host h)
    : blueprint(h), reader_(s.string("bytes_field"), s.string("protocol_field")) {}

factory::verdict widget::on_material(worker& w, const factory::material& m) {
    // A refused first material leaves no worker (abi.h), so no worker ships an empty product.
    observation o;
    if (!reader_.read(m, o)) return refuse("%s", reader_.why());
    count(w.state(), o, m.time_ns());
    return factory::verdict::keep;
}

void widget::on_fire(worker& w, factory::fire_reason reason, std::int64_t) {
    const widget_state& s = w.state();
    if (s.materials == 0) return;
    ship(w.pid(), pclass_of(s.protocol), product_of(w.pid(), s, reason));
}

} // namespace factory::widget
