// scan() and `factory-host plugins [NAME]`.
#include "plugins/plugins_command.hpp"
#include "plugins/scan.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>
#include <vector>

using namespace factory::plugins;
using factory::testing::fixture;
using factory::testing::fixture_dir;

namespace {

search_path fixtures_only() { return search_path{{fixture_dir()}}; }

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

const std::string* line_with(const std::vector<std::string>& lines, const std::string& part) {
    for (const auto& l : lines)
        if (l.find(part) != std::string::npos) return &l;
    return nullptr;
}

struct run_result { int code; std::string out, err; };

run_result run(const search_path& path, std::optional<std::string> name) {
    std::ostringstream out, err;
    const int code = plugins_command(path, name, out, err);
    return {code, out.str(), err.str()};
}

} // namespace

TEST_CASE("scan finds every .so, loaded or with its error") {
    const auto entries = scan(fixtures_only());
    auto find = [&](const std::string& name) {
        return std::find_if(entries.begin(), entries.end(), [&](const scan_entry& e) { return e.file == fixture(name); });
    };
    REQUIRE(find("libfixture_widget.so") != entries.end());
    CHECK(find("libfixture_widget.so")->loaded.has_value());
    CHECK(find("libfixture_widget.so")->error.empty());
    REQUIRE(find("libtext.so") != entries.end());
    CHECK_FALSE(find("libtext.so")->loaded.has_value());
    CHECK_THAT(find("libtext.so")->error, Catch::Contains("cannot be loaded as a shared library"));
    REQUIRE(find("libflaw_bad_kind.so") != entries.end());
    CHECK_THAT(find("libflaw_bad_kind.so")->error, Catch::Contains("malformed descriptor"));
    CHECK(std::is_sorted(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.file < b.file; }));
}

TEST_CASE("the listing is an aligned table of plugins, then the files that are not usable") {
    const auto r = run(fixtures_only(), std::nullopt);
    CHECK(r.code == 0);
    CHECK(r.err.empty());
    const auto lines = lines_of(r.out);
    const std::string* header = line_with(lines, "NAME");
    const std::string* widget = line_with(lines, "fixture_widget");
    const std::string* feed_exporter = line_with(lines, "libexporter_fixture_feed.so");
    REQUIRE(header != nullptr);
    REQUIRE(widget != nullptr);
    REQUIRE(feed_exporter != nullptr);
    for (const char* column : {"KIND", "VERSION", "DESCRIPTION", "FILE"}) {
        INFO(column);
        CHECK(header->find(column) != std::string::npos);
    }
    // Columns line up: each cell starts under its heading.
    CHECK(widget->find("blueprint") == header->find("KIND"));
    CHECK(widget->find("2.3.4") == header->find("VERSION"));
    CHECK(widget->find("counts materials per pid") == header->find("DESCRIPTION"));
    CHECK(widget->find(fixture("libfixture_widget.so").string()) == header->find("FILE"));
    CHECK(feed_exporter->find("exporter") == header->find("KIND"));

    const auto not_usable = r.out.find("Not usable:");
    REQUIRE(not_usable != std::string::npos);
    CHECK(r.out.find(fixture("libtext.so").string() + ": cannot be loaded", not_usable) != std::string::npos);
    CHECK(r.out.find(fixture("libno_entry.so").string() + ": not a factory plugin", not_usable) != std::string::npos);
    CHECK(r.out.find("libfixture_widget.so", not_usable) == std::string::npos);
}

TEST_CASE("the listing marks a plugin hidden by an earlier one of the same name and kind") {
    factory::testing::scratch_dir tmp;
    const auto first = tmp.folder("first"), second = tmp.folder("second");
    tmp.copy_fixture("libfixture_widget.so", first);
    tmp.copy_fixture("libfixture_widget.so", second);
    const auto lines = lines_of(run(search_path{{first, second}}, std::nullopt).out);
    const std::string* used = line_with(lines, (first / "libfixture_widget.so").string());
    const std::string* hidden = line_with(lines, (second / "libfixture_widget.so").string());
    REQUIRE(used != nullptr);
    REQUIRE(hidden != nullptr);
    CHECK(used->find("not used") == std::string::npos);
    CHECK_THAT(*hidden, Catch::Contains("(not used: " + (first / "libfixture_widget.so").string() + " comes first)"));
}

TEST_CASE("an empty search path lists no plugins and says so") {
    factory::testing::scratch_dir tmp;
    const auto r = run(search_path{{tmp.folder("empty")}}, std::nullopt);
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("none; add a folder with --plugin-dir"));
}

TEST_CASE("one plugin is shown with its settings and product classes") {
    const auto r = run(fixtures_only(), std::string("fixture_widget"));
    CHECK(r.code == 0);
    CHECK(r.err.empty());
    const auto lines = lines_of(r.out);
    CHECK(lines.at(0) == "fixture_widget 2.3.4 (blueprint): counts materials per pid (test fixture)");
    CHECK(lines.at(1) == "file: " + fixture("libfixture_widget.so").string());
    const std::string* header = line_with(lines, "KEY");
    const std::string* tag = line_with(lines, "  tag ");
    const std::string* mode = line_with(lines, "  mode ");
    const std::string* window = line_with(lines, "  window ");
    REQUIRE(header != nullptr);
    REQUIRE(tag != nullptr);
    REQUIRE(mode != nullptr);
    REQUIRE(window != nullptr);
    CHECK(tag->find("string") == header->find("TYPE"));
    CHECK(tag->find("required") == header->find("DEFAULT"));
    CHECK(tag->find("a label for the products") == header->find("HELP"));
    CHECK(mode->find("enum") == header->find("TYPE"));
    CHECK(mode->find("fast|slow") == header->find("CHOICES"));
    CHECK(window->find("duration") == header->find("TYPE"));
    CHECK(window->find("5s") == header->find("DEFAULT"));

    CHECK_THAT(r.out, Catch::Contains("product classes:"));
    CHECK_THAT(r.out, Catch::Contains("  counts (32 bytes)"));
    CHECK_THAT(r.out, Catch::Contains("  events (16 bytes)"));
    const std::string* src = line_with(lines, "    src ");
    const std::string* when = line_with(lines, "    when ");
    REQUIRE(src != nullptr);
    REQUIRE(when != nullptr);
    CHECK_THAT(*src, Catch::Contains("ipv4"));
    CHECK_THAT(*when, Catch::Contains("time_ns"));
}

TEST_CASE("one plugin is shown with what it does under --checkpoint") {
    const auto widget = lines_of(run(fixtures_only(), std::string("fixture_widget")).out);
    // No declared layout: its fingerprint covers size 8 and align 8 only.
    CHECK(widget.at(2) == "checkpoints: state a0c8d037cde6a645 (size and align only), upgrades from no older state");
    const auto resumable = lines_of(run(fixtures_only(), std::string("fixture_resumable")).out);
    CHECK(resumable.at(2) == "checkpoints: resumable (position and seek)");
    const auto commits = lines_of(run(fixtures_only(), std::string("fixture_commits")).out);
    CHECK(commits.at(2) == "checkpoints: exactly once (commits epochs)");
    const auto feed = run(fixtures_only(), std::string("fixture_feed")).out; // a source and an exporter
    CHECK_THAT(feed, Catch::Contains("\ncheckpoints: cannot resume (no position hooks)\n"));
    CHECK_THAT(feed, Catch::Contains("\ncheckpoints: at least once (cannot take back what it exported)\n"));
}

TEST_CASE("one plugin is shown with the materials it fills or reads") {
    CHECK(lines_of(run(fixtures_only(), std::string("fixture_widget")).out).at(3) ==
          "materials: raw (declares no material layout)");
    CHECK(lines_of(run(fixtures_only(), std::string("fixture_resumable")).out).at(3) ==
          "materials: raw only (cannot fill typed records)");
}

TEST_CASE("a plugin's notes are shown after its settings, line by line") {
    const auto r = run(fixtures_only(), std::string("fixture_widget"));
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("\nnotes:\n  counts start at 1 for each worker\n\n  note is NUL-padded text\n"
                                      "product classes:\n"));
    const auto notes = r.out.find("notes:");
    CHECK(r.out.find("settings:") < notes);
    // A plugin without notes has no notes heading.
    CHECK(run(fixtures_only(), std::string("fixture_feed")).out.find("notes:") == std::string::npos);
}

TEST_CASE("a mistyped plugin name names the one meant") {
    const auto r = run(fixtures_only(), std::string("fixture_widgte"));
    CHECK(r.code == 1);
    CHECK_THAT(r.err, Catch::StartsWith("no plugin named 'fixture_widgte'; did you mean 'fixture_widget'? in "));
}

TEST_CASE("a source and an exporter of one name are both shown") {
    const auto r = run(fixtures_only(), std::string("fixture_feed"));
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("fixture_feed 1.0.0 (source)"));
    CHECK_THAT(r.out, Catch::Contains("fixture_feed 1.0.1 (exporter)"));
    CHECK_THAT(r.out, Catch::Contains("settings: none"));
    CHECK(r.out.find("product classes") == std::string::npos);
}

TEST_CASE("a plugin is shown by file name and by path") {
    CHECK_THAT(run(fixtures_only(), std::string("libodd_name.so")).out, Catch::StartsWith("fixture_hidden 0.1.0"));
    CHECK_THAT(run(search_path{}, fixture("libfixture_widget.so").string()).out, Catch::StartsWith("fixture_widget"));
}

TEST_CASE("an unknown plugin name fails with one line on err") {
    const auto r = run(fixtures_only(), std::string("nonesuch"));
    CHECK(r.code == 1);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::StartsWith("no plugin named 'nonesuch' in " + fixture_dir().string()));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

TEST_CASE("showing a broken plugin file gives its load error") {
    const auto r = run(fixtures_only(), std::string("libtext.so"));
    CHECK(r.code == 1);
    CHECK_THAT(r.err, Catch::Contains("cannot be loaded as a shared library"));
}
