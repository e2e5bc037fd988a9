// setting_types: the host's checks of a setting value's form, and the words it uses for types.
#include "plugins/setting_types.hpp"

#include <factory/abi.h>

#include <catch2/catch.hpp>

#include <string>

using namespace factory::plugins;

TEST_CASE("check_form applies the parser of each setting type") {
    CHECK(check_form(FACTORY_SETTING_STRING, "", nullptr));
    CHECK(check_form(FACTORY_SETTING_INT, "-3", nullptr));
    CHECK_FALSE(check_form(FACTORY_SETTING_UINT, "-3", nullptr));
    CHECK(check_form(FACTORY_SETTING_FLOAT, "0.5", nullptr));
    CHECK_FALSE(check_form(FACTORY_SETTING_BOOL, "maybe", nullptr));
    CHECK(check_form(FACTORY_SETTING_DURATION, "2m", nullptr));
    CHECK(check_form(FACTORY_SETTING_SIZE, "1MiB", nullptr));
    CHECK(check_form(FACTORY_SETTING_ENUM, "b", "a|b"));
    CHECK_FALSE(check_form(FACTORY_SETTING_ENUM, "b", nullptr));
    CHECK(check_form(FACTORY_SETTING_PATH_IN, "-", nullptr));
    CHECK_FALSE(check_form(FACTORY_SETTING_PATH_OUT, "  ", nullptr));
    CHECK_FALSE(check_form(99, "x", nullptr));
}

TEST_CASE("every setting type has a name and a description") {
    for (std::uint32_t t = FACTORY_SETTING_STRING; t <= FACTORY_SETTING_PATH_OUT; ++t) {
        INFO(t);
        CHECK(std::string(type_name(t)) != "?");
        CHECK(std::string(describe_type(t)).find("unknown") == std::string::npos);
    }
    CHECK(std::string(type_name(0)) == "?");
    CHECK(std::string(describe_type(0)) == "a value of an unknown type");
}
