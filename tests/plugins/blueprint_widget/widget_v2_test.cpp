// widget_v2 (fixtures/widget_v2.hpp) restores widget's state through on_upgrade: its previous
// layout is widget's layout (the same fingerprint), and the upgrade keeps every counted value.
#include "blueprint_widget/widget.hpp"
#include "plugins/state_fingerprint.hpp"
#include "support/fake_workshop.hpp"
#include "support/load_plugin.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <string>

using factory::testing::load_plugin;
using factory::widget::widget_state;

namespace {

const factory_descriptor* widget() { return factory::detail::blueprint_descriptor<factory::widget::widget>(); }

struct v2_state { // widget_v2's layout, as its descriptor declares it
    std::uint64_t materials, bytes;
    std::int64_t first_seen, last_seen;
    std::uint8_t protocol;
    std::uint32_t largest;
};

} // namespace

TEST_CASE("widget declares its state's fields") {
    const factory_descriptor* d = widget();
    REQUIRE(d->state_layout != nullptr);
    CHECK(d->state_layout->record_size == sizeof(widget_state));
    CHECK(d->state_layout->record_size == d->state_size);
    REQUIRE(d->state_layout->field_count == 5);
    CHECK(std::string(d->state_layout->fields[4].name) == "protocol");
    CHECK(d->state_layout->fields[4].offset == offsetof(widget_state, protocol));
    CHECK(d->state_previous == nullptr);
    CHECK(d->blueprint->on_upgrade == nullptr);
}

TEST_CASE("widget_v2 reads widget's checkpoints: its previous layout has widget's fingerprint") {
    const factory_descriptor* v2 = load_plugin(FACTORY_WIDGET_V2);
    REQUIRE(v2->state_previous != nullptr);
    REQUIRE(v2->blueprint->on_upgrade != nullptr);
    CHECK(factory::plugins::previous_state_fingerprint(*v2) == factory::plugins::state_fingerprint(*widget()));
    CHECK(factory::plugins::state_fingerprint(*v2) != factory::plugins::state_fingerprint(*widget()));
    CHECK(v2->state_layout->field_count == 6);
}

TEST_CASE("widget_v2's on_upgrade turns a widget state into its own, the new field zero") {
    const factory_descriptor* v2 = load_plugin(FACTORY_WIDGET_V2);
    factory::testing::fake_host host;
    factory::testing::fake_settings settings(v2, {});
    void* instance = nullptr;
    factory_error err{};
    REQUIRE(v2->blueprint->on_open(host.raw(), settings.raw(), &instance, &err) == FACTORY_OK);

    widget_state old{};
    old.materials = 3;
    old.bytes = 4500;
    old.first_seen = 1'000;
    old.last_seen = 9'000;
    old.protocol = 17;
    alignas(16) unsigned char fresh[sizeof(v2_state)];
    std::memset(fresh, 0, sizeof fresh);
    REQUIRE(v2->state_size == sizeof(v2_state));
    REQUIRE(v2->blueprint->on_upgrade(instance, &old, fresh, &err) == FACTORY_OK);
    v2_state now;
    std::memcpy(&now, fresh, sizeof now);
    CHECK(now.materials == 3);
    CHECK(now.bytes == 4500);
    CHECK(now.first_seen == 1'000);
    CHECK(now.last_seen == 9'000);
    CHECK(now.protocol == 17);
    CHECK(now.largest == 0);

    // A state no worker can have is refused with the plugin's reason.
    widget_state empty{};
    std::memset(fresh, 0, sizeof fresh);
    CHECK(v2->blueprint->on_upgrade(instance, &empty, fresh, &err) == FACTORY_ERROR);
    CHECK(std::string(err.message) == "a widget state without materials cannot be a worker's");
    v2->blueprint->on_close(instance);
}
