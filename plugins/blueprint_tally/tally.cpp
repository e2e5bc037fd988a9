#include "tally.hpp"

namespace factory::tally {

void tally::on_fire(worker& w, factory::fire_reason reason, std::int64_t) {
    tally_product p{};
    p.pid = w.pid();
    p.materials = w.state().materials;
    p.end_reason = static_cast<std::uint8_t>(reason);
    ship(w.pid(), 0, p);
}

} // namespace factory::tally
