// resolve(): a plugin by path, by file name and by name, in search-path order, and its errors.
#include "plugins/resolve.hpp"
#include "test_support.hpp"

#include "build_info.hpp"

#include <catch2/catch.hpp>

#include <boost/dll/runtime_symbol_info.hpp>

using namespace factory::plugins;
using factory::testing::fixture;
using factory::testing::fixture_dir;
namespace fs = std::filesystem;

namespace {

search_path fixtures_only() { return search_path{{fixture_dir()}}; }

std::string failure(const std::string& target, kind k, const search_path& path) {
    return factory::testing::message_of<load_error>([&] { resolve(target, k, path); });
}

} // namespace

TEST_CASE("a name finds lib<name>.so") {
    const plugin p = resolve("fixture_widget", kind::blueprint, fixtures_only());
    CHECK(p.file == fixture("libfixture_widget.so"));
}

TEST_CASE("a name finds lib<kind>_<name>.so, so a source and an exporter may share it") {
    CHECK(resolve("fixture_feed", kind::source, fixtures_only()).file == fixture("libsource_fixture_feed.so"));
    CHECK(resolve("fixture_feed", kind::exporter, fixtures_only()).file == fixture("libexporter_fixture_feed.so"));
}

TEST_CASE("a name not in any file name is found by the descriptors, skipping broken files") {
    const plugin p = resolve("fixture_hidden", kind::blueprint, fixtures_only());
    CHECK(p.file == fixture("libodd_name.so"));
    CHECK(p.name() == "fixture_hidden");
}

TEST_CASE("a file name is looked up in the folders") {
    CHECK(resolve("libodd_name.so", kind::blueprint, fixtures_only()).name() == "fixture_hidden");
}

TEST_CASE("a target with a slash is a path, wherever the search path points") {
    const plugin p = resolve(fixture("libfixture_widget.so").string(), kind::blueprint, search_path{});
    CHECK(p.name() == "fixture_widget");
}

TEST_CASE("the first folder holding the name wins") {
    factory::testing::scratch_dir tmp;
    const auto first = tmp.folder("first"), second = tmp.folder("second");
    tmp.copy_fixture("libfixture_widget.so", second);
    tmp.copy_fixture("libfixture_widget.so", first);
    CHECK(resolve("fixture_widget", kind::blueprint, search_path{{first, second}}).file == first / "libfixture_widget.so");
    CHECK(resolve("fixture_widget", kind::blueprint, search_path{{second, first}}).file == second / "libfixture_widget.so");
}

TEST_CASE("an earlier folder wins even over a more exact file name in a later one") {
    factory::testing::scratch_dir tmp;
    const auto mine = tmp.folder("mine"), bundled = tmp.folder("bundled");
    tmp.copy_fixture("libsource_fixture_feed.so", mine);
    tmp.copy_fixture("libsource_fixture_feed.so", bundled, "libfixture_feed.so");
    CHECK(resolve("fixture_feed", kind::source, search_path{{mine, bundled}}).file == mine / "libsource_fixture_feed.so");
}

TEST_CASE("a plugin of another kind is refused in one line naming both kinds") {
    const auto msg = failure("fixture_feed", kind::blueprint, fixtures_only());
    CHECK(msg.find('\n') == std::string::npos);
    CHECK_THAT(msg, Catch::Contains("libsource_fixture_feed.so is a source plugin, but --blueprint needs a blueprint"));

    const auto by_path = failure(fixture("libfixture_widget.so").string(), kind::exporter, fixtures_only());
    CHECK_THAT(by_path, Catch::Contains("libfixture_widget.so is a blueprint plugin, but --exporter needs an exporter"));
}

TEST_CASE("a name found nowhere says where the host looked and how to list") {
    factory::testing::scratch_dir tmp;
    const auto missing = tmp / "missing";
    const auto msg = failure("nonesuch", kind::blueprint, search_path{{fixture_dir(), missing}});
    CHECK(msg.find('\n') == std::string::npos);
    CHECK_THAT(msg, Catch::StartsWith("no blueprint plugin named 'nonesuch'"));
    CHECK_THAT(msg, Catch::Contains("libnonesuch.so"));
    CHECK_THAT(msg, Catch::Contains("libblueprint_nonesuch.so"));
    CHECK_THAT(msg, Catch::Contains(fixture_dir().string()));
    CHECK_THAT(msg, Catch::Contains(missing.string() + " (missing)"));
    CHECK_THAT(msg, Catch::Contains("factory-host plugins"));
}

TEST_CASE("a mistyped plugin name names the plugin of that kind meant") {
    CHECK_THAT(failure("fixturewidget", kind::blueprint, fixtures_only()),
               Catch::StartsWith("no blueprint plugin named 'fixturewidget'; did you mean 'fixture_widget'?: looked for "));
    // The hint is of the wanted kind: fixture_feed is a source and an exporter, not a blueprint.
    CHECK_THAT(failure("fixture_fed", kind::source, fixtures_only()), Catch::Contains("did you mean 'fixture_feed'?"));
    CHECK_THAT(failure("fixture_fed", kind::blueprint, fixtures_only()), !Catch::Contains("did you mean"));
    CHECK_THAT(failure("nonesuch", kind::blueprint, fixtures_only()), !Catch::Contains("did you mean"));
}

TEST_CASE("a file name found nowhere is not found") {
    CHECK_THAT(failure("libnonesuch.so", kind::source, fixtures_only()), Catch::StartsWith("no plugin file libnonesuch.so in "));
}

TEST_CASE("a broken file of the wanted name is reported, not skipped for a later folder") {
    factory::testing::scratch_dir tmp;
    const auto mine = tmp.folder("mine"), good = tmp.folder("good");
    tmp.copy_fixture("libflaw_abi_version.so", mine, "libfixture_widget.so");
    tmp.copy_fixture("libfixture_widget.so", good);
    const auto msg = failure("fixture_widget", kind::blueprint, search_path{{mine, good}});
    CHECK_THAT(msg, Catch::StartsWith((mine / "libfixture_widget.so").string()));
    CHECK_THAT(msg, Catch::Contains("ABI version"));
}

TEST_CASE("the standard search path: --plugin-dir folders, the installed folder, ./plugins") {
    factory::testing::scratch_dir tmp;
    const auto a = tmp.folder("a"), b = tmp.folder("b");
    const search_path path = standard_search_path({a, b, a});
    REQUIRE(path.dirs.size() == 4);
    CHECK(path.dirs[0] == a);
    CHECK(path.dirs[1] == b);
    const fs::path exe_dir = boost::dll::program_location().parent_path().string();
    CHECK(path.dirs[2] == (exe_dir / factory::build::plugin_dir_from_bin).lexically_normal());
    CHECK(path.dirs[2] == installed_plugin_dir());
    CHECK(path.dirs[3] == fs::current_path() / "plugins");
}

TEST_CASE("in the build tree the installed folder is where the bundled plugins are built") {
    // From build/bin, where factory-host runs in the build tree.
    const fs::path bin = fs::path(FACTORY_TEST_BINARY_DIR) / "bin";
    const fs::path dir = (bin / factory::build::plugin_dir_from_bin).lexically_normal();
    CHECK(dir == fs::path(FACTORY_TEST_PLUGIN_OUTPUT_DIR).lexically_normal());
    CHECK(dir.string().ends_with("/factory/plugins"));
}

TEST_CASE("plugin_files lists only .so files, sorted") {
    factory::testing::scratch_dir tmp;
    const auto dir = tmp.folder("d");
    tmp.write("d/libb.so", "x");
    tmp.write("d/liba.so", "x");
    tmp.write("d/readme.txt", "x");
    tmp.folder("d/libdir.so");
    const auto files = plugin_files(dir);
    REQUIRE(files.size() == 2);
    CHECK(files[0] == dir / "liba.so");
    CHECK(files[1] == dir / "libb.so");
    CHECK(plugin_files(tmp / "missing").empty());
}
