// Each malformed descriptor is refused for its own flaw, in one line naming the file and the flaw.
// The fixtures are one hand-written C blueprint built once per flaw (fixtures/flawed.c).
#include "plugins/loader.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

using namespace factory::plugins;
using factory::testing::fixture;

TEST_CASE("the flawed fixture without a flaw is a good plugin") {
    const plugin p = load_file(fixture("libflaw_none.so"));
    CHECK(p.name() == "flawed");
    CHECK(p.type() == kind::blueprint);
}

TEST_CASE("each descriptor flaw is named") {
    struct expectation { const char* flaw; std::string says; };
    const expectation cases[] = {
        {"bad_kind", "kind is 42, must be 1 (source), 2 (blueprint) or 3 (exporter)"},
        {"bad_name", "name 'Flawed-Name' is not a plain name ([a-z0-9_]+)"},
        {"unknown_setting_type", "setting 'keys' has unknown type 77"},
        {"duplicate_setting", "setting 'keys' is declared twice"},
        {"enum_without_choices", "setting 'mode' is an enum without choices"},
        {"bad_default", "setting 'keys': default '-1' is not a non-negative integer"},
        {"bad_enum_default", "setting 'mode': default 'medium' is not one of its choices"},
        {"bad_align", "state_align is 3, must be a power of two from 1 to 16"},
        {"duplicate_pclass", "pclass 'counts' is declared twice"},
        {"field_outside", "pclass 'counts': field 'note' (offset 12, size 4) ends past record_size 14"},
        {"field_size", "pclass 'counts': field 'count' of type u32 has size 8, must be 4"},
        {"duplicate_field", "pclass 'counts': field 'pid' is declared twice"},
        {"missing_hook", "blueprint hooks: on_material is NULL"},
        {"hooks_size", "blueprint hooks struct_size is 12, must be " + std::to_string(sizeof(factory_blueprint_hooks))},
        {"wrong_hooks", "the blueprint hooks table is NULL"},
    };
    for (const auto& c : cases) {
        INFO("flaw: " << c.flaw);
        const auto file = fixture(std::string("libflaw_") + c.flaw + ".so");
        const auto msg = factory::testing::message_of<load_error>([&] { load_file(file); });
        CHECK(msg.find('\n') == std::string::npos);
        CHECK_THAT(msg, Catch::StartsWith(file.string() + ": malformed descriptor: "));
        CHECK_THAT(msg, Catch::Contains(c.says));
        CHECK_THAT(msg, Catch::Contains("fix the plugin's descriptor"));
    }
}
