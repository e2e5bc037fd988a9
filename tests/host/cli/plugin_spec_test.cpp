// "--source jsonl:path=x,key=a,b": the plugin and its settings as the user writes them.
#include "cli/plugin_spec.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>

using namespace factory::cli;

namespace {

std::string failure(std::string_view text) {
    try {
        parse_plugin_spec(text, "--source");
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return {};
}

} // namespace

TEST_CASE("a bare name has no settings") {
    const auto s = parse_plugin_spec("widget", "--blueprint");
    CHECK(s.target == "widget");
    CHECK(s.settings.empty());
}

TEST_CASE("settings follow the first colon, in the order given") {
    const auto s = parse_plugin_spec("jsonl:path=in.jsonl,limit=10", "--source");
    CHECK(s.target == "jsonl");
    CHECK(s.settings == setting_list{{"path", "in.jsonl"}, {"limit", "10"}});
}

TEST_CASE("a comma followed by text without '=' continues the previous value") {
    const auto s = parse_plugin_spec("jsonl:key=src,dst,proto,path=x", "--source");
    CHECK(s.settings == setting_list{{"key", "src,dst,proto"}, {"path", "x"}});
}

TEST_CASE("a value may hold '=' after the first one, and be empty") {
    const auto s = parse_plugin_spec("sql:filter=a=b,empty=", "--exporter");
    CHECK(s.settings == setting_list{{"filter", "a=b"}, {"empty", ""}});
}

TEST_CASE("a trailing comma stays in the value, like any continuation") {
    CHECK(parse_plugin_spec("x:sep=a,", "--source").settings == setting_list{{"sep", "a,"}});
}

TEST_CASE("a path to a plugin, in a folder without a colon") {
    const auto s = parse_plugin_spec("./build/my plugins/libwidget.so:keys=4", "--blueprint");
    CHECK(s.target == "./build/my plugins/libwidget.so");
    CHECK(s.settings == setting_list{{"keys", "4"}});
}

TEST_CASE("a colon with nothing after it means no settings") {
    const auto s = parse_plugin_spec("libwidget.so:", "--blueprint");
    CHECK(s.target == "libwidget.so");
    CHECK(s.settings.empty());
}

TEST_CASE("a spec without a plugin is refused, naming the option") {
    CHECK_THAT(failure(""), Catch::StartsWith("--source: '' names no plugin"));
    CHECK_THAT(failure(":path=x"), Catch::StartsWith("--source: ':path=x' names no plugin"));
}

TEST_CASE("settings that do not start with key=value are refused") {
    CHECK(failure("jsonl:path") == "--source: 'path' in 'jsonl:path' is not key=value; write jsonl:key=value,...");
    CHECK_THAT(failure("jsonl:,path=x"), Catch::Contains("is not key=value"));
    CHECK_THAT(failure("jsonl:=x"), Catch::Contains("has no key before '='"));
}

TEST_CASE("to_string writes a spec back") {
    CHECK(to_string(plugin_spec{"widget", {}}) == "widget");
    CHECK(to_string(plugin_spec{"jsonl", {{"path", "a"}, {"key", "src,dst"}}}) == "jsonl:path=a,key=src,dst");
    const auto s = parse_plugin_spec("jsonl:path=a,key=src,dst", "--source");
    CHECK(to_string(s) == "jsonl:path=a,key=src,dst");
}
