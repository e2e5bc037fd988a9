// Must not compile: a blueprint that names its material record but not the record's fields could
// not have it filled by a source.
#include <factory/blueprint.hpp>

struct click { char page[16]; };
struct state { std::uint64_t n; };

class reader : public factory::blueprint<state> {
public:
    static constexpr factory::info info{"reader", "1.0.0", "a material record without its layout"};
    using material_record = click;
    reader(const factory::settings&, factory::host h) : blueprint(h) {}
    factory::verdict on_material(worker&, const factory::material&) { return factory::verdict::keep; }
};

FACTORY_BLUEPRINT(reader)
