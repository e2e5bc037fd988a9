// Must not compile: a blueprint that declares a previous state but no on_upgrade could not read it.
#include <factory/blueprint.hpp>

struct v1 { std::uint32_t n; };
struct v2 { std::uint64_t n; };

class counter : public factory::blueprint<v2> {
public:
    static constexpr factory::info info{"counter", "2.0.0", "previous state without on_upgrade"};
    using previous_state = v1;
    static inline const factory::schema previous_state_layout = factory::make_schema<v1>({FACTORY_FIELD(v1, n)});
    counter(const factory::settings&, factory::host h) : blueprint(h) {}
    factory::verdict on_material(worker&, const factory::material&) { return factory::verdict::keep; }
};

FACTORY_BLUEPRINT(counter)
