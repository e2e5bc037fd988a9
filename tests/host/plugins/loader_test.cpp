// load_file(): the handshake, the descriptor, and each way a file can fail to be a plugin.
#include "plugins/loader.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace factory::plugins;
using factory::testing::fixture;
using factory::testing::message_of;

namespace {

std::string load_failure(const std::filesystem::path& file) {
    return message_of<load_error>([&] { load_file(file); });
}

bool one_line(const std::string& s) { return !s.empty() && s.find('\n') == std::string::npos; }

} // namespace

TEST_CASE("a good blueprint loads with its descriptor") {
    const plugin p = load_file(fixture("libfixture_widget.so"));
    CHECK(p.type() == kind::blueprint);
    CHECK(p.name() == "fixture_widget");
    CHECK(p.version() == "2.3.4");
    CHECK(p.file == fixture("libfixture_widget.so"));
    REQUIRE(p.descriptor != nullptr);
    CHECK(p.descriptor->setting_count == 10);
    CHECK(p.descriptor->pclass_count == 2);
    CHECK(p.descriptor->blueprint != nullptr);
}

TEST_CASE("a good source and a good exporter load with their kinds") {
    CHECK(load_file(fixture("libsource_fixture_feed.so")).type() == kind::source);
    CHECK(load_file(fixture("libexporter_fixture_feed.so")).type() == kind::exporter);
}

TEST_CASE("loading a file twice gives the library already loaded") {
    const plugin a = load_file(fixture("libfixture_widget.so"));
    const plugin b = load_file(fixture("libfixture_widget.so"));
    CHECK(a.descriptor == b.descriptor);
}

TEST_CASE("a plugin whose on_open throws still loads: on_open runs later, elsewhere") {
    const plugin p = load_file(fixture("libfixture_throws.so"));
    CHECK(p.name() == "fixture_throws");
    CHECK(p.type() == kind::blueprint);
}

TEST_CASE("kinds have names") {
    CHECK(std::string(to_string(kind::source)) == "source");
    CHECK(std::string(to_string(kind::blueprint)) == "blueprint");
    CHECK(std::string(to_string(kind::exporter)) == "exporter");
    CHECK(kind_from_raw(2) == kind::blueprint);
    CHECK_FALSE(kind_from_raw(0).has_value());
    CHECK_FALSE(kind_from_raw(4).has_value());
}

TEST_CASE("a missing file is refused, naming it") {
    const auto file = fixture("libnot_there.so");
    const auto msg = load_failure(file);
    CHECK(one_line(msg));
    CHECK_THAT(msg, Catch::Contains(file.string()));
    CHECK_THAT(msg, Catch::Contains("no such plugin file"));
    CHECK_THAT(msg, Catch::Contains("factory-host plugins"));
}

TEST_CASE("a folder is refused as a plugin file") {
    const auto msg = load_failure(factory::testing::fixture_dir());
    CHECK_THAT(msg, Catch::Contains("not a regular file"));
}

TEST_CASE("a text file named .so is refused with the loader's reason") {
    const auto file = fixture("libtext.so");
    const auto msg = load_failure(file);
    CHECK(one_line(msg));
    CHECK_THAT(msg, Catch::StartsWith(file.string() + ": cannot be loaded as a shared library ("));
    // glibc's own words for a file that is not ELF.
    CHECK_THAT(msg, Catch::Contains("ELF") || Catch::Contains("too short"));
}

TEST_CASE("a shared library without the entry point is not a factory plugin") {
    const auto file = fixture("libno_entry.so");
    const auto msg = load_failure(file);
    CHECK(one_line(msg));
    CHECK_THAT(msg, Catch::StartsWith(file.string() + ": not a factory plugin"));
    CHECK_THAT(msg, Catch::Contains("factory_plugin_abi"));
}

TEST_CASE("an ABI version mismatch names both versions and says to rebuild") {
    const auto file = fixture("libflaw_abi_version.so");
    const auto msg = load_failure(file);
    CHECK(one_line(msg));
    CHECK_THAT(msg, Catch::StartsWith(file.string() + ": "));
    CHECK_THAT(msg, Catch::Contains("plugin ABI version " + std::to_string(FACTORY_ABI_VERSION + 41)));
    CHECK_THAT(msg, Catch::Contains("this factory-host speaks ABI version " + std::to_string(FACTORY_ABI_VERSION)));
    CHECK_THAT(msg, Catch::Contains("rebuild the plugin against this factory SDK"));
}

TEST_CASE("a plugin built against ABI version 1 is refused with both versions and what to do") {
    const auto file = fixture("libflaw_abi_v1.so");
    const auto msg = load_failure(file);
    CHECK(one_line(msg));
    CHECK_THAT(msg, Catch::Contains("plugin ABI version 1, but this factory-host speaks ABI version " +
                                    std::to_string(FACTORY_ABI_VERSION)));
    CHECK_THAT(msg, Catch::Contains("rebuild the plugin against this factory SDK"));
}

TEST_CASE("a descriptor size mismatch names both sizes and both versions") {
    const auto file = fixture("libflaw_descriptor_size.so");
    const auto msg = load_failure(file);
    CHECK(one_line(msg));
    CHECK_THAT(msg, Catch::Contains("descriptor size 8 bytes"));
    CHECK_THAT(msg, Catch::Contains("has " + std::to_string(sizeof(factory_descriptor))));
    CHECK_THAT(msg, Catch::Contains("plugin ABI version " + std::to_string(FACTORY_ABI_VERSION)));
    CHECK_THAT(msg, Catch::Contains("host ABI version " + std::to_string(FACTORY_ABI_VERSION)));
    CHECK_THAT(msg, Catch::Contains("rebuild"));
}

TEST_CASE("a plugin with the handshake but no descriptor entry point is malformed") {
    const auto msg = load_failure(fixture("libflaw_no_descriptor_symbol.so"));
    CHECK_THAT(msg, Catch::Contains("malformed plugin"));
    CHECK_THAT(msg, Catch::Contains("factory_plugin_descriptor"));
}

TEST_CASE("a NULL descriptor is malformed") {
    const auto msg = load_failure(fixture("libflaw_null_descriptor.so"));
    CHECK_THAT(msg, Catch::Contains("malformed descriptor"));
    CHECK_THAT(msg, Catch::Contains("returned NULL"));
}
