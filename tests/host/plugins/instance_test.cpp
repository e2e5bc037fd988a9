#include "plugins/instance.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace factory;
using namespace factory::testing;

namespace {

plugin_choice choice_of(const std::string& name, const std::string& file) {
    plugin_choice c;
    c.name = name;
    c.file = fixture(file).string();
    return c;
}

// Opens with no host services: the fixtures' on_open reads none.
template <class Hooks>
auto open_plain() {
    return [](const Hooks* h, const factory_settings* s, void** handle, factory_error* err) {
        return h->on_open(nullptr, s, handle, err);
    };
}

} // namespace

TEST_CASE("an instance loads, opens and closes a plugin of its kind once", "[plugins]") {
    plugins::instance<factory_source_hooks> source(choice_of("fixture_feed", "libsource_fixture_feed.so"),
                                                   open_plain<factory_source_hooks>());
    REQUIRE(source.descriptor() != nullptr);
    CHECK(std::string(source.descriptor()->name) == "fixture_feed");
    CHECK(source.handle() != nullptr);
    source.close();
    CHECK(source.handle() == nullptr);
    source.close(); // a second close does nothing
}

TEST_CASE("a plugin of another kind is refused, saying which kind it is and where it goes", "[plugins]") {
    auto why = message_of<std::runtime_error>([] {
        plugins::instance<factory_source_hooks> wrong(choice_of("fixture_widget", "libfixture_widget.so"),
                                                      open_plain<factory_source_hooks>());
    });
    CHECK(why == fixture("libfixture_widget.so").string() +
                     " is a blueprint plugin, not a source: name a source plugin with --source (factory-host "
                     "plugins lists them), and this one with --blueprint");
}

TEST_CASE("a plugin whose on_open fails is refused with its own message", "[plugins]") {
    auto why = message_of<std::runtime_error>([] {
        plugins::instance<factory_blueprint_hooks> bp(choice_of("fixture_throws", "libfixture_throws.so"),
                                                      open_plain<factory_blueprint_hooks>());
    });
    CHECK(why == "blueprint fixture_throws (" + fixture("libfixture_throws.so").string() +
                     "): init failed: fixture_throws: on_open fails on purpose");
}
