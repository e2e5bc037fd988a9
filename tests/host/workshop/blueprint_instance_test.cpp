// blueprint_instance's upgrade of an older state, through the SDK's on_upgrade trampoline.
#include "workshop/blueprint_instance.hpp"

#include "support/fake_host.hpp"
#include "support/settings.hpp"

#include <factory/blueprint.hpp>

#include <catch2/catch.hpp>

#include <cstring>
#include <stdexcept>
#include <string>

using factory::workshop::blueprint_instance;

namespace {

struct count_v1 { std::uint32_t count; };
struct count_v2 { std::uint64_t count; std::uint64_t doubled; };

class counter_v2 : public factory::blueprint<count_v2> {
public:
    static constexpr factory::info info{"counter_v2", "2.0.0", "counts, with an upgrade from v1"};
    static inline const factory::schema state_layout = factory::make_schema<count_v2>(
        {FACTORY_FIELD(count_v2, count), FACTORY_FIELD(count_v2, doubled)});
    using previous_state = count_v1;
    static inline const factory::schema previous_state_layout =
        factory::make_schema<count_v1>({FACTORY_FIELD(count_v1, count)});
    counter_v2(const factory::settings&, factory::host h) : blueprint(h) {}
    factory::verdict on_material(worker& w, const factory::material&) {
        ++w.state().count;
        return factory::verdict::keep;
    }
    void on_upgrade(const count_v1& old, count_v2& now) {
        if (old.count > 1000) throw factory::error("count " + std::to_string(old.count) + " is too large");
        now.count = old.count;
        now.doubled = 2u * old.count;
    }
};

class counter_v1 : public factory::blueprint<count_v1> {
public:
    static constexpr factory::info info{"counter_v1", "1.0.0", "counts"};
    counter_v1(const factory::settings&, factory::host h) : blueprint(h) {}
    factory::verdict on_material(worker&, const factory::material&) { return factory::verdict::keep; }
};

template <class T>
std::unique_ptr<blueprint_instance> open(factory::testing::fake_host& host) {
    const factory_descriptor* d = factory::detail::blueprint_descriptor<T>();
    factory::testing::fake_settings settings(d);
    void* handle = nullptr;
    factory_error err{};
    if (d->blueprint->on_open(host.raw(), settings.raw(), &handle, &err) != FACTORY_OK)
        throw std::runtime_error(err.message);
    return std::make_unique<blueprint_instance>(d->blueprint, handle);
}

} // namespace

TEST_CASE("the SDK fills state_layout, state_previous and on_upgrade from the class", "[blueprint_instance]") {
    const factory_descriptor* d = factory::detail::blueprint_descriptor<counter_v2>();
    REQUIRE(d->state_layout != nullptr);
    CHECK(d->state_layout->record_size == sizeof(count_v2));
    CHECK(d->state_layout->field_count == 2);
    REQUIRE(d->state_previous != nullptr);
    CHECK(d->state_previous->record_size == sizeof(count_v1));
    CHECK(std::string(d->state_previous->fields[0].name) == "count");
    CHECK(d->blueprint->on_upgrade != nullptr);

    const factory_descriptor* v1 = factory::detail::blueprint_descriptor<counter_v1>();
    CHECK(v1->state_layout == nullptr);
    CHECK(v1->state_previous == nullptr);
    CHECK(v1->blueprint->on_upgrade == nullptr);
}

TEST_CASE("upgrade turns an older state into the current one", "[blueprint_instance]") {
    factory::testing::fake_host host;
    auto bp = open<counter_v2>(host);
    REQUIRE(bp->upgrades());
    count_v1 old{21};
    alignas(8) unsigned char fresh[sizeof(count_v2)];
    std::memset(fresh, 0, sizeof fresh);
    factory_error err{};
    REQUIRE(bp->upgrade(&old, fresh, &err) == FACTORY_OK);
    count_v2 now;
    std::memcpy(&now, fresh, sizeof now);
    CHECK(now.count == 21);
    CHECK(now.doubled == 42);

    count_v1 huge{5000};
    CHECK(bp->upgrade(&huge, fresh, &err) == FACTORY_ERROR);
    CHECK(std::string(err.message) == "count 5000 is too large");
}

TEST_CASE("a blueprint without on_upgrade does not upgrade", "[blueprint_instance]") {
    factory::testing::fake_host host;
    auto bp = open<counter_v1>(host);
    CHECK_FALSE(bp->upgrades());
    count_v1 old{1};
    count_v1 fresh{};
    factory_error err{};
    CHECK(bp->upgrade(&old, &fresh, &err) == FACTORY_ERROR);
    CHECK(std::string(err.message) == "the blueprint has no on_upgrade");
}
