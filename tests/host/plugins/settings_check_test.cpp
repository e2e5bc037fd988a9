// check_settings(): what a plugin's on_open will see, and every way a setting is refused.
#include "plugins/loader.hpp"
#include "plugins/settings_block.hpp"
#include "plugins/settings_check.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <factory/settings.hpp>

#include <fstream>

#include <unistd.h>

using namespace factory::plugins;
using factory::cli::setting_list;
using factory::testing::fixture;
namespace fs = std::filesystem;

namespace {

plugin widget() { return load_file(fixture("libfixture_widget.so")); }

std::string refusal(const plugin& p, const setting_list& given) {
    return factory::testing::message_of<settings_error>([&] { check_settings(p, given); });
}

std::string refusal_in(const plugin& p, const setting_list& given, const fs::path& base_dir) {
    return factory::testing::message_of<settings_error>([&] { check_settings(p, given, base_dir); });
}

std::string value_of(const resolved_settings& s, const std::string& key) {
    for (const auto& [k, v] : s)
        if (k == key) return v;
    FAIL("no setting " << key);
    return {};
}

} // namespace

TEST_CASE("every declared setting comes back in descriptor order, defaults filled in") {
    const auto s = check_settings(widget(), {{"tag", "blue"}});
    REQUIRE(s.size() == 10);
    const char* keys[] = {"tag", "keys", "offset", "ratio", "verbose", "window", "buffer", "mode", "input", "output"};
    for (std::size_t i = 0; i < s.size(); ++i) CHECK(s[i].first == keys[i]);
    CHECK(value_of(s, "tag") == "blue");
    CHECK(value_of(s, "keys") == "16");
    CHECK(value_of(s, "window") == "5s");
    CHECK(value_of(s, "mode") == "fast");
    CHECK(value_of(s, "input") == "-");
}

TEST_CASE("given values replace defaults, booleans become true or false, blanks go") {
    const auto s = check_settings(widget(), {{"keys", " 7 "}, {"tag", " spaced "}, {"verbose", "YES"}, {"mode", "slow"}});
    CHECK(value_of(s, "keys") == "7");
    CHECK(value_of(s, "tag") == " spaced ");
    CHECK(value_of(s, "verbose") == "true");
    CHECK(value_of(s, "mode") == "slow");
}

TEST_CASE("an unknown key is refused, naming the closest known one and listing them all") {
    const auto msg = refusal(widget(), {{"tag", "x"}, {"kyes", "3"}});
    CHECK(msg == "fixture_widget: unknown setting 'kyes'; did you mean 'keys'? known settings: tag, keys, offset, "
                 "ratio, verbose, window, buffer, mode, input, output");
    // Nothing close: no guess, only the list.
    CHECK(refusal(widget(), {{"tag", "x"}, {"colour", "3"}}) ==
          "fixture_widget: unknown setting 'colour'; known settings: tag, keys, offset, ratio, verbose, window, "
          "buffer, mode, input, output");
}

TEST_CASE("a mistyped setting of a source names the one meant") {
    const auto source = load_file(fixture("libsource_fixture_feed.so"));
    CHECK_THAT(refusal(source, {{"pth", "x"}}), Catch::StartsWith("fixture_feed: unknown setting 'pth'; did you mean 'path'?"));
}

TEST_CASE("relative file settings from a --config file are taken beside it, and a missing one is named in full") {
    factory::testing::scratch_dir tmp;
    const auto source = load_file(fixture("libsource_fixture_feed.so"));
    const auto conf_dir = tmp.folder("conf");
    std::ofstream(conf_dir / "in.jsonl") << "{}\n";
    CHECK(value_of(check_settings(source, {{"path", "in.jsonl"}}, conf_dir), "path") == (conf_dir / "in.jsonl").string());
    CHECK(value_of(check_settings(source, {{"path", "-"}}, conf_dir), "path") == "-");
    CHECK(refusal_in(source, {{"path", "sub/../gone.jsonl"}}, conf_dir) ==
          "fixture_feed: setting 'path': file '" + (conf_dir / "gone.jsonl").string() + "' does not exist (looked for " +
              (conf_dir / "gone.jsonl").string() + "); check the path");
    CHECK(value_of(check_settings(widget(), {{"tag", "t"}, {"output", "out/x.jsonl"}}, conf_dir), "output") ==
          (conf_dir / "out" / "x.jsonl").string());
    CHECK(fs::is_directory(conf_dir / "out"));
}

TEST_CASE("a plugin without settings refuses any") {
    const auto exporter = load_file(fixture("libexporter_fixture_feed.so"));
    CHECK(check_settings(exporter, {}).empty());
    CHECK(refusal(exporter, {{"path", "x"}}) == "fixture_feed: takes no settings; remove 'path'");
}

TEST_CASE("a key given twice is refused") {
    CHECK_THAT(refusal(widget(), {{"tag", "a"}, {"tag", "b"}}), Catch::Contains("setting 'tag' is given twice ('a' and 'b')"));
}

TEST_CASE("a missing required setting is refused, saying how to give it") {
    const auto msg = refusal(widget(), {});
    CHECK_THAT(msg, Catch::StartsWith("fixture_widget: setting 'tag' is required (text)"));
    CHECK_THAT(msg, Catch::Contains("add tag=VALUE to the --blueprint spec"));
}

TEST_CASE("a value of the wrong form is refused for each type") {
    struct bad { const char* key; const char* value; const char* wants; };
    const bad cases[] = {
        {"keys", "abc", "a non-negative integer"},
        {"keys", "-1", "a non-negative integer"},
        {"offset", "1.5", "an integer"},
        {"ratio", "half", "a number"},
        {"verbose", "maybe", "true or false"},
        {"window", "5 parsecs", "a duration such as 500ms, 5s or 2m"},
        {"buffer", "lots", "a size such as 4096, 64KiB or 1MiB"},
        {"mode", "medium", "one of fast|slow"},
        {"input", "", "a readable file"},
    };
    for (const auto& c : cases) {
        INFO(c.key << " = " << c.value);
        CHECK(refusal(widget(), {{"tag", "t"}, {c.key, c.value}}) ==
              std::string("fixture_widget: setting '") + c.key + "' wants " + c.wants + ", got '" + c.value + "'");
    }
}

TEST_CASE("a PATH_IN must exist, be a file and be readable, '-' is standard input") {
    factory::testing::scratch_dir tmp;
    const auto source = load_file(fixture("libsource_fixture_feed.so"));
    const auto file = tmp.write("in.jsonl", "{}\n");
    CHECK(value_of(check_settings(source, {{"path", file.string()}}), "path") == file.string());
    CHECK(value_of(check_settings(source, {{"path", "-"}}), "path") == "-");

    const auto missing = (tmp / "nope.jsonl").string();
    CHECK(refusal(source, {{"path", missing}}) ==
          "fixture_feed: setting 'path': file '" + missing + "' does not exist (looked for " + missing +
              "); check the path");
    CHECK_THAT(refusal(source, {{"path", tmp.path().string()}}), Catch::Contains("is a folder; give a file"));
    CHECK_THAT(refusal(source, {}), Catch::Contains("add path=VALUE to the --source spec"));

    if (::geteuid() != 0) { // root reads any file, so only others can see this refusal
        fs::permissions(file, fs::perms::none);
        CHECK_THAT(refusal(source, {{"path", file.string()}}), Catch::Contains("cannot be read"));
    }
}

TEST_CASE("a PATH_IN with an empty default is optional: empty is not given, anything else is checked") {
    factory::testing::scratch_dir tmp;
    const auto source = load_file(fixture("libsource_fixture_feed.so"));
    const auto file = tmp.write("in.jsonl", "{}\n");
    CHECK(value_of(check_settings(source, {{"path", file.string()}}), "extra").empty());
    CHECK(value_of(check_settings(source, {{"path", file.string()}, {"extra", " "}}), "extra").empty());
    const auto missing = (tmp / "gone.jsonl").string();
    CHECK(refusal(source, {{"path", file.string()}, {"extra", missing}}) ==
          "fixture_feed: setting 'extra': file '" + missing + "' does not exist (looked for " + missing +
              "); check the path");
    // Relative to a --config file's folder, as any PATH_IN.
    std::ofstream(tmp / "more.jsonl") << "{}\n";
    CHECK(value_of(check_settings(source, {{"path", file.string()}, {"extra", "more.jsonl"}}, tmp.path()), "extra") ==
          (tmp / "more.jsonl").string());
}

TEST_CASE("a PATH_OUT needs a writable folder, created when missing") {
    factory::testing::scratch_dir tmp;
    const auto out = tmp / "new" / "deeper" / "out.jsonl";
    CHECK(value_of(check_settings(widget(), {{"tag", "t"}, {"output", out.string()}}), "output") == out.string());
    CHECK(fs::is_directory(out.parent_path()));
    CHECK_FALSE(fs::exists(out));

    // A regular file where a folder should be: the folder cannot be created.
    const auto blocker = tmp.write("blocker", "x");
    const auto below = (blocker / "out.jsonl").string();
    CHECK_THAT(refusal(widget(), {{"tag", "t"}, {"output", below}}),
               Catch::StartsWith("fixture_widget: setting 'output': '" + below + "': cannot create its folder"));

    if (::geteuid() != 0) {
        const auto locked = tmp.folder("locked");
        fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
        CHECK_THAT(refusal(widget(), {{"tag", "t"}, {"output", (locked / "out.jsonl").string()}}),
                   Catch::Contains("is not writable"));
    }
}

TEST_CASE("a settings block hands the checked values to on_open as C arrays") {
    auto checked = check_settings(widget(), {{"tag", "blue"}, {"keys", "9"}});
    settings_block block(checked);
    settings_block moved(std::move(block));
    const factory_settings* raw = moved.get();
    REQUIRE(raw->count == 10);
    CHECK(std::string(raw->keys[0]) == "tag");
    CHECK(std::string(raw->values[0]) == "blue");

    // What a plugin reads through the SDK's view.
    const factory::settings view(raw);
    CHECK(view.uinteger("keys") == 9);
    CHECK(view.integer("offset") == -3);
    CHECK(view.duration_ns("window") == 5'000'000'000);
    CHECK(view.size_bytes("buffer") == 64 * 1024);
    CHECK_FALSE(view.boolean("verbose"));
}

TEST_CASE("an empty settings block has no arrays") {
    settings_block block({});
    CHECK(block.get()->count == 0);
    CHECK(block.get()->keys == nullptr);
}
