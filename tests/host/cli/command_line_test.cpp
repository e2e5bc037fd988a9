// parse(): every option, help, version, the plugins command and usage errors.
#include "cli/command_line.hpp"
#include "cli_test_support.hpp"

#include <catch2/catch.hpp>

#include <factory/abi.h>

#include <algorithm>

using namespace factory::cli;
using factory::testing::parse_words;

namespace {

bool one_line(const std::string& s) { return std::count(s.begin(), s.end(), '\n') == 1 && s.back() == '\n'; }

void check_usage_error(const std::vector<std::string>& words, const std::string& says) {
    INFO("words: " << words.at(0));
    const auto r = parse_words(words);
    CHECK(r.inv.what == invocation::command::exit);
    CHECK(r.inv.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(one_line(r.err));
    CHECK_THAT(r.err, Catch::StartsWith("factory-host: "));
    CHECK_THAT(r.err, Catch::Contains(says));
}

} // namespace

TEST_CASE("no options: a run with the defaults") {
    const auto r = parse_words({});
    CHECK(r.inv.what == invocation::command::run);
    CHECK(r.err.empty());
    const run_options defaults;
    CHECK(r.inv.run.source.target == defaults.source.target);
    CHECK(r.inv.run.blueprint.target == "widget");
    CHECK(r.inv.run.exporters.empty());
    CHECK(r.inv.run.workshops == 0);
    CHECK(r.inv.run.contract_ns == 5'000'000'000);
    CHECK_FALSE(r.inv.run.config_file.has_value());
}

TEST_CASE("every option reaches its field") {
    const auto r = parse_words({"--source", "jsonl:path=in.jsonl", "--blueprint", "./libmine.so:keys=3",
                                "--exporter", "jsonl:path=out/", "--exporter", "sqlite:db=x.db",
                                "--plugin-dir", "/opt/a", "--plugin-dir", "b",
                                "--workshops", "8", "--rate", "2500.5", "--contract", "90s", "--inspect", "0",
                                "--max-age", "1h", "--max-workers", "100000", "--clock", "material",
                                "--flush", "250ms", "--duration", "10", "--line-size", "8MiB", "--lane-size", "512KiB",
                                "--max-material", "9000", "--export-retries", "0", "--retry-backoff", "2s",
                                "--dead-letter", "dl", "--summary-json", "s.json", "--log-level", "debug", "--quiet"});
    REQUIRE(r.err.empty());
    REQUIRE(r.inv.what == invocation::command::run);
    const run_options& o = r.inv.run;
    CHECK(to_string(o.source) == "jsonl:path=in.jsonl");
    CHECK(to_string(o.blueprint) == "./libmine.so:keys=3");
    REQUIRE(o.exporters.size() == 2);
    CHECK(to_string(o.exporters[0]) == "jsonl:path=out/");
    CHECK(to_string(o.exporters[1]) == "sqlite:db=x.db");
    CHECK(o.plugin_dirs == std::vector<std::filesystem::path>{"/opt/a", "b"});
    CHECK(r.inv.plugin_dirs == o.plugin_dirs);
    CHECK(o.workshops == 8);
    CHECK(o.rate == 2500.5);
    CHECK(o.contract_ns == 90'000'000'000);
    CHECK(o.inspect_ns == 0);
    CHECK(o.max_age_ns == 3'600'000'000'000);
    CHECK(o.max_workers == 100000);
    CHECK(o.clock == clock_mode::material);
    CHECK(o.flush_ns == 250'000'000);
    CHECK(o.duration_ns == 10'000'000'000);
    CHECK(o.line_bytes == 8u << 20);
    CHECK(o.lane_bytes == 512u << 10);
    CHECK(o.max_material == 9000);
    CHECK(o.export_retries == 0);
    CHECK(o.retry_backoff_ns == 2'000'000'000);
    CHECK(o.dead_letter_dir == "dl");
    CHECK(o.summary_json == std::filesystem::path("s.json"));
    CHECK(o.log_level == "debug");
    CHECK(o.quiet);
}

TEST_CASE("help prints the options grouped, with their defaults, and exits 0") {
    const auto r = parse_words({"--help"});
    CHECK(r.inv.what == invocation::command::exit);
    CHECK(r.inv.exit_code == 0);
    CHECK(r.err.empty());
    for (const char* part : {"Plugins:", "Workshops:", "Transportation:", "Run:", "--source SPEC", "--contract DUR",
                             "[default: 5s]", "[default: 100ms]", "[default: 4MiB]", "[default: widget]", "plugins", "checkpoints"}) {
        INFO(part);
        CHECK_THAT(r.out, Catch::Contains(part));
    }
}

TEST_CASE("the version line names the version and the plugin ABI") {
    const auto r = parse_words({"--version"});
    CHECK(r.inv.what == invocation::command::exit);
    CHECK(r.inv.exit_code == 0);
    CHECK(r.out == version_line() + "\n");
    CHECK_THAT(r.out, Catch::Matches("factory-host [0-9]+\\.[0-9]+\\.[0-9]+ \\(plugin ABI " +
                                     std::to_string(FACTORY_ABI_VERSION) + "\\)\n"));
}

TEST_CASE("the plugins command, with or without a name, takes --plugin-dir on either side") {
    const auto all = parse_words({"--plugin-dir", "x", "plugins", "--plugin-dir", "y"});
    CHECK(all.inv.what == invocation::command::plugins);
    CHECK_FALSE(all.inv.plugin_name.has_value());
    CHECK(all.inv.plugin_dirs == std::vector<std::filesystem::path>{"x", "y"});

    const auto one = parse_words({"plugins", "jsonl"});
    CHECK(one.inv.what == invocation::command::plugins);
    CHECK(one.inv.plugin_name == std::string("jsonl"));
}

TEST_CASE("the checkpoints command takes one folder and --json") {
    const auto text = parse_words({"checkpoints", "ck"});
    CHECK(text.inv.what == invocation::command::checkpoints);
    CHECK(text.inv.checkpoint_dir == std::filesystem::path("ck"));
    CHECK_FALSE(text.inv.json);

    const auto json = parse_words({"checkpoints", "--json", "/var/lib/job"});
    CHECK(json.inv.what == invocation::command::checkpoints);
    CHECK(json.inv.checkpoint_dir == std::filesystem::path("/var/lib/job"));
    CHECK(json.inv.json);

    check_usage_error({"checkpoints"}, "DIR is required");
    check_usage_error({"checkpoints", "a", "b"}, "b");
    check_usage_error({"checkpoints", "--jsno", "a"}, "did you mean '--json'?");
}

TEST_CASE("durations: a bare number is seconds") {
    CHECK(parse_words({"--contract", "2.5"}).inv.run.contract_ns == 2'500'000'000);
    CHECK(parse_words({"--flush", "1m"}).inv.run.flush_ns == 60'000'000'000);
}

TEST_CASE("bad values are usage errors naming the option and what it wants") {
    check_usage_error({"--workshops", "0"}, "--workshops wants an integer from 1 to 1024, got '0'");
    check_usage_error({"--workshops", "1025"}, "--workshops wants an integer from 1 to 1024");
    check_usage_error({"--workshops", "four"}, "--workshops wants an integer");
    check_usage_error({"--rate", "-1"}, "--rate wants a number of materials per second, 0 or more, got '-1'");
    check_usage_error({"--contract", "0"}, "--contract wants a duration above 0");
    check_usage_error({"--contract", "5 days"}, "--contract wants a duration above 0 such as 500ms, 5s or 2m, got '5 days'");
    check_usage_error({"--inspect", "-2s"}, "--inspect wants a duration such as 500ms, 5s or 2m (0: none)");
    check_usage_error({"--flush", "0"}, "--flush wants a duration above 0");
    check_usage_error({"--retry-backoff", "0"}, "--retry-backoff wants a duration above 0");
    check_usage_error({"--clock", "sundial"}, "--clock wants one of wall|material, got 'sundial'");
    check_usage_error({"--line-size", "1KiB"}, "--line-size wants a size from 4KiB to 1GiB");
    check_usage_error({"--lane-size", "huge"}, "--lane-size wants a size");
    check_usage_error({"--max-material", "0"}, "--max-material wants a size from 1 to 1GiB");
    check_usage_error({"--max-workers", "-1"}, "--max-workers wants an integer");
    check_usage_error({"--export-retries", "x"}, "--export-retries wants an integer from 0 to 1000000");
    check_usage_error({"--log-level", "loud"}, "--log-level wants one of trace|debug|info|warn|error, got 'loud'");
    check_usage_error({"--dead-letter", ""}, "--dead-letter wants a path");
    check_usage_error({"--source", ":x=1"}, "--source: ':x=1' names no plugin");
    check_usage_error({"--exporter", "jsonl:path"}, "--exporter: 'path' in 'jsonl:path' is not key=value");
    check_usage_error({"--plugin-dir", ""}, "--plugin-dir: an empty folder name");
}

TEST_CASE("a production line must hold one largest material") {
    check_usage_error({"--line-size", "64KiB", "--max-material", "64KiB"},
                      "--line-size 64KiB cannot hold one largest material (--max-material 64KiB plus its " +
                          std::to_string(sizeof(factory_material)) + "-byte header)");
    CHECK(parse_words({"--line-size", "64KiB", "--max-material", "32KiB"}).inv.what == invocation::command::run);
}

TEST_CASE("unknown options, missing values and stray words are usage errors") {
    check_usage_error({"--wrokshops", "4"}, "--wrokshops");
    check_usage_error({"--workshops"}, "--workshops");
    check_usage_error({"stray"}, "stray");
    check_usage_error({"plugins", "a", "b"}, "b");
}

TEST_CASE("a mistyped option names the one meant") {
    check_usage_error({"--contrat", "5s"}, "--contrat; did you mean '--contract'?; see 'factory-host --help'");
    check_usage_error({"--wrokshops", "4"}, "did you mean '--workshops'?");
    check_usage_error({"--clock=material", "--max-age=1h", "--dead-leter=x"}, "did you mean '--dead-letter'?");
    check_usage_error({"plugins", "--plugin-dri", "x"}, "did you mean '--plugin-dir'?");
    // Nothing close: no guess.
    const auto r = parse_words({"--frobnicate"});
    CHECK(r.inv.exit_code == 2);
    CHECK(r.err.find("did you mean") == std::string::npos);
}

TEST_CASE("the help says what the clock counts and that contracts count whole milliseconds") {
    const auto r = parse_words({"--help"});
    CHECK(r.inv.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("material when the source gives event time, else wall"));
    CHECK_THAT(r.out, Catch::Contains("a gap is measured between"));
    CHECK_THAT(r.out, Catch::Contains("floored 1 ms ticks"));
}

TEST_CASE("without --clock the clock is left to the source") {
    CHECK_FALSE(parse_words({}).inv.run.clock.has_value());
    CHECK(parse_words({"--clock", "wall"}).inv.run.clock == clock_mode::wall);
}
