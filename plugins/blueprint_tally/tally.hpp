// The tally blueprint (libtally.so): counts materials per pid, and nothing else, so that a run
// measures the factory rather than the blueprint (bench/). Any material format is counted; none
// is refused. When a worker is fired it ships one product, pclass "counts":
//   pid u64, materials u64 (its materials, not saturating), end_reason u8 (the fire reason:
//   1 idle, 2 max_age, 3 done, 4 shutdown, 5 evicted)
// The state is the 8-byte count: with the roster's 24-byte header a worker takes a 32-byte slot.
#pragma once

#include <factory/blueprint.hpp>

#include <cstdint>

namespace factory::tally {

struct tally_state {
    std::uint64_t materials;
};

struct tally_product {
    std::uint64_t pid;
    std::uint64_t materials;
    std::uint8_t end_reason;
    std::uint8_t reserved[7]; // explicit padding: shipped records hold no uninitialised bytes
};

inline const factory::schema product_schema = factory::make_schema<tally_product>({
    FACTORY_FIELD(tally_product, pid),
    FACTORY_FIELD(tally_product, materials),
    FACTORY_FIELD(tally_product, end_reason),
});

class tally : public factory::blueprint<tally_state> {
public:
    static constexpr factory::info info{"tally", "1.0.0",
                                        "counts materials per pid; one product per worker when it is fired"};
    static constexpr const char* notes =
        "Counts materials per pid; refuses none. Product pclass counts: pid u64, materials u64,\n"
        "end_reason u8 (1 idle, 2 max_age, 3 done, 4 shutdown, 5 evicted).";
    static inline const factory::pclass_def pclasses[] = {{"counts", &product_schema}};

    tally(const factory::settings&, factory::host h) : blueprint(h) {}

    factory::verdict on_material(worker& w, const factory::material&) noexcept {
        ++w.state().materials;
        return factory::verdict::keep;
    }
    void on_fire(worker& w, factory::fire_reason reason, std::int64_t now_ns);
};

} // namespace factory::tally
