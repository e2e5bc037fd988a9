// The TOML run file: the same keys as the command line, which wins over it.
#include "cli/command_line.hpp"
#include "cli/config_file.hpp"
#include "cli_test_support.hpp"

#include <catch2/catch.hpp>

using namespace factory::cli;
using factory::testing::parse_words;
using factory::testing::scratch_dir;

namespace {

bool same_spec(const plugin_spec& a, const plugin_spec& b) { return a.target == b.target && a.settings == b.settings; }

// Every field but config_file, which says where the values came from.
void check_same(const run_options& a, const run_options& b) {
    CHECK(same_spec(a.source, b.source));
    CHECK(same_spec(a.blueprint, b.blueprint));
    REQUIRE(a.exporters.size() == b.exporters.size());
    for (std::size_t i = 0; i < a.exporters.size(); ++i) CHECK(same_spec(a.exporters[i], b.exporters[i]));
    CHECK(a.plugin_dirs == b.plugin_dirs);
    CHECK(a.workshops == b.workshops);
    CHECK(a.rate == b.rate);
    CHECK(a.contract_ns == b.contract_ns);
    CHECK(a.inspect_ns == b.inspect_ns);
    CHECK(a.max_age_ns == b.max_age_ns);
    CHECK(a.max_workers == b.max_workers);
    CHECK(a.clock == b.clock);
    CHECK(a.flush_ns == b.flush_ns);
    CHECK(a.duration_ns == b.duration_ns);
    CHECK(a.line_bytes == b.line_bytes);
    CHECK(a.lane_bytes == b.lane_bytes);
    CHECK(a.max_material == b.max_material);
    CHECK(a.export_retries == b.export_retries);
    CHECK(a.retry_backoff_ns == b.retry_backoff_ns);
    CHECK(a.dead_letter_dir == b.dead_letter_dir);
    CHECK(a.summary_json == b.summary_json);
    CHECK(a.log_level == b.log_level);
    CHECK(a.quiet == b.quiet);
}

const char* full_file = R"(# a run written down
workshops = 8
rate = 2500.5
contract = "90s"
inspect = 0
max-age = "1h"
max_workers = 100000
clock = "material"
flush = "250ms"
duration = 10
line-size = "8MiB"
lane-size = "512KiB"
max-material = 9000
export-retries = 0
retry-backoff = "2s"
dead-letter = "dl"
summary-json = "s.json"
log-level = "debug"
quiet = true
plugin-dir = ["/opt/a", "b"]

[source]
plugin = "jsonl"
path = "in.jsonl"
limit = 10
strict = true
ratio = 0.25

[blueprint]
plugin = "./libmine.so"
keys = "src,dst"

[[exporter]]
plugin = "jsonl"
path = "out/"

[[exporter]]
plugin = "sqlite"
db = "x.db"
)";

const std::vector<std::string> same_on_the_command_line = {
    "--source", "jsonl:path=in.jsonl,limit=10,strict=true,ratio=0.25", "--blueprint", "./libmine.so:keys=src,dst",
    "--exporter", "jsonl:path=out/", "--exporter", "sqlite:db=x.db", "--plugin-dir", "/opt/a", "--plugin-dir", "b",
    "--workshops", "8", "--rate", "2500.5", "--contract", "90s", "--inspect", "0", "--max-age", "1h",
    "--max-workers", "100000", "--clock", "material", "--flush", "250ms", "--duration", "10", "--line-size", "8MiB",
    "--lane-size", "512KiB", "--max-material", "9000", "--export-retries", "0", "--retry-backoff", "2s",
    "--dead-letter", "dl", "--summary-json", "s.json", "--log-level", "debug", "--quiet"};

// The command line that says what full_file says when the file is in `dir`: its relative paths
// (dead-letter, summary-json, a plugin-dir) name places beside the file.
std::vector<std::string> same_on_the_command_line_in(const std::filesystem::path& dir) {
    auto words = same_on_the_command_line;
    for (std::size_t i = 1; i < words.size(); ++i)
        if ((words[i - 1] == "--dead-letter" || words[i - 1] == "--summary-json" || words[i - 1] == "--plugin-dir") &&
            !std::filesystem::path(words[i]).is_absolute())
            words[i] = (dir / words[i]).string();
    return words;
}

std::string config_failure(const std::string& text) {
    scratch_dir tmp;
    const auto file = tmp.write("run.toml", text);
    const auto r = parse_words({"--config", file});
    CHECK(r.inv.exit_code == 2);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    return r.err;
}

} // namespace

TEST_CASE("the same settings in the file and on the command line give the same run") {
    scratch_dir tmp;
    const auto file = tmp.write("run.toml", full_file);
    const auto from_file = parse_words({"--config", file});
    const auto from_line = parse_words(same_on_the_command_line_in(std::filesystem::path(file).parent_path()));
    REQUIRE(from_file.err.empty());
    REQUIRE(from_line.err.empty());
    check_same(from_file.inv.run, from_line.inv.run);
    CHECK(from_file.inv.run.config_file == std::filesystem::path(file));
    CHECK(from_file.inv.plugin_dirs == from_line.inv.plugin_dirs);
}

TEST_CASE("plugin settings keep the order they are written in") {
    scratch_dir tmp;
    const auto file = tmp.write("run.toml", "[source]\nplugin = \"x\"\nzeta = 1\nalpha = 2\n");
    const auto r = parse_words({"--config", file});
    CHECK(r.inv.run.source.settings == setting_list{{"zeta", "1"}, {"alpha", "2"}});
}

TEST_CASE("the command line wins over the file, key by key") {
    scratch_dir tmp;
    const auto file = tmp.write("run.toml", full_file);
    const auto r = parse_words({"--config", file, "--workshops", "2", "--contract", "7s"});
    REQUIRE(r.err.empty());
    CHECK(r.inv.run.workshops == 2);
    CHECK(r.inv.run.contract_ns == 7'000'000'000);
    CHECK(r.inv.run.flush_ns == 250'000'000); // the file's, untouched
}

TEST_CASE("a plugin on the command line replaces the file's plugin and settings of that role") {
    scratch_dir tmp;
    const auto file = tmp.write("run.toml", full_file);
    const auto r = parse_words({"--config", file, "--source", "synthetic", "--exporter", "null"});
    REQUIRE(r.err.empty());
    CHECK(to_string(r.inv.run.source) == "synthetic");
    REQUIRE(r.inv.run.exporters.size() == 1);
    CHECK(to_string(r.inv.run.exporters[0]) == "null");
    CHECK(to_string(r.inv.run.blueprint) == "./libmine.so:keys=src,dst"); // the file's
}

TEST_CASE("command-line plugin folders come before the file's") {
    scratch_dir tmp;
    const auto file = tmp.write("run.toml", "plugin-dir = \"from-file\"\n");
    const auto r = parse_words({"--config", file, "--plugin-dir", "from-line"});
    // The file's relative folder is beside the file; the command line's is as given.
    const auto beside = std::filesystem::path(file).parent_path() / "from-file";
    CHECK(r.inv.plugin_dirs == std::vector<std::filesystem::path>{"from-line", beside});
    const auto listing = parse_words({"plugins", "--config", file});
    CHECK(listing.inv.what == invocation::command::plugins);
    CHECK(listing.inv.plugin_dirs == std::vector<std::filesystem::path>{beside});
}

TEST_CASE("a role table without plugin sets the settings of the default plugin, a spec string works too") {
    scratch_dir tmp;
    const auto top = tmp.write("top.toml", "source = \"jsonl:path=a,b\"\n[blueprint]\nkeys = 4\n");
    const auto r = parse_words({"--config", top});
    REQUIRE(r.err.empty());
    CHECK(to_string(r.inv.run.blueprint) == "widget:keys=4");
    CHECK(r.inv.run.source.settings == setting_list{{"path", "a,b"}});
}

TEST_CASE("a single [exporter] table is one exporter") {
    scratch_dir tmp;
    const auto file = tmp.write("run.toml", "[exporter]\nplugin = \"null\"\n");
    const auto r = parse_words({"--config", file});
    REQUIRE(r.inv.run.exporters.size() == 1);
    CHECK(r.inv.run.exporters[0].target == "null");
}

TEST_CASE("TOML dates are passed on as text") {
    scratch_dir tmp;
    const auto file = tmp.write("run.toml", "[source]\nplugin = \"x\"\nsince = 2024-03-01\n");
    CHECK(parse_words({"--config", file}).inv.run.source.settings == setting_list{{"since", "2024-03-01"}});
}

TEST_CASE("file errors name the file, the line and the key") {
    CHECK_THAT(config_failure("workshop = 4\n"),
               Catch::Matches("factory-host: .*run\\.toml:1: unknown key 'workshop'; did you mean 'workshops'\\? known "
                              "keys: source, blueprint, "
                              "exporter, plugin-dir, workshops, .*; fix or remove it\n"));
    CHECK_THAT(config_failure("\nworkshops = 0\n"),
               Catch::Matches(".*run\\.toml:2: workshops wants an integer from 1 to 1024, got '0'\n"));
    CHECK_THAT(config_failure("contract = \"soon\"\n"), Catch::Contains("run.toml:1: contract wants a duration"));
    CHECK_THAT(config_failure("workshops = [1]\n"), Catch::Contains("workshops must be a single value"));
    CHECK_THAT(config_failure("[[exporter]]\npath = \"x\"\n"), Catch::Contains("[exporter] needs plugin = "));
    CHECK_THAT(config_failure("[source]\nplugin = \"x\"\nnested = { a = 1 }\n"),
               Catch::Contains("source.nested must be a single value"));
    CHECK_THAT(config_failure("max_age = 1\nmax-age = 2\n"), Catch::Contains("sets max-age a second time"));
    CHECK_THAT(config_failure("config = \"other.toml\"\n"), Catch::Contains("unknown key 'config'"));
    CHECK_THAT(config_failure("plugin-dir = 3\n"), Catch::Contains("plugin-dir must be a folder name"));
}

TEST_CASE("TOML syntax errors give the file, line and column") {
    CHECK_THAT(config_failure("workshops = = 4\n"), Catch::Matches(".*run\\.toml:1:[0-9]+: .*; fix the TOML\n"));
}

TEST_CASE("a missing config file is a usage error naming it") {
    const auto r = parse_words({"--config", "/nonexistent/run.toml"});
    CHECK(r.inv.exit_code == 2);
    CHECK(r.err == "factory-host: --config: /nonexistent/run.toml does not exist (looked for /nonexistent/run.toml); "
                   "check the path\n");
    // A relative name: the message says where it was looked for.
    const auto rel = parse_words({"--config", "no-such-run.toml"});
    CHECK(rel.err == "factory-host: --config: no-such-run.toml does not exist (looked for " +
                         (std::filesystem::current_path() / "no-such-run.toml").string() + "); check the path\n");
}

TEST_CASE("relative paths in a --config file are relative to the file's folder") {
    scratch_dir tmp;
    const auto file = tmp.write("run.toml", "dead-letter = \"dl\"\nsummary-json = \"../s.json\"\n"
                                            "plugin-dir = [\"plugins\", \"/opt/abs\"]\n"
                                            "[source]\nplugin = \"jsonl\"\nfile = \"in.jsonl\"\n"
                                            "[[exporter]]\nplugin = \"csv\"\n"
                                            "[blueprint]\nplugin = \"widget\"\n");
    const std::filesystem::path dir = std::filesystem::path(file).parent_path();
    const auto r = parse_words({"--config", file});
    REQUIRE(r.err.empty());
    CHECK(r.inv.run.dead_letter_dir == dir / "dl");
    CHECK(r.inv.run.summary_json == dir.parent_path() / "s.json");
    CHECK(r.inv.run.plugin_dirs == std::vector<std::filesystem::path>{dir / "plugins", "/opt/abs"});
    // Plugin settings are checked against their types later: each spec from the file carries its folder.
    CHECK(r.inv.run.source.base_dir == dir);
    CHECK(r.inv.run.blueprint.base_dir == dir);
    REQUIRE(r.inv.run.exporters.size() == 1);
    CHECK(r.inv.run.exporters[0].base_dir == dir);
    // A spec given on the command line instead is relative to the working folder.
    const auto mixed = parse_words({"--config", file, "--source", "jsonl:file=in.jsonl"});
    CHECK(mixed.inv.run.source.base_dir.empty());
}

TEST_CASE("a mistyped key in the file names the one meant") {
    CHECK_THAT(config_failure("contrat = \"5s\"\n"), Catch::Contains("unknown key 'contrat'; did you mean 'contract'? known keys: "));
}

TEST_CASE("apply_config_file works on its own, over given options") {
    scratch_dir tmp;
    const auto file = tmp.write("run.toml", "rate = 3\n");
    run_options o;
    o.workshops = 5;
    apply_config_file(o, file);
    CHECK(o.rate == 3);
    CHECK(o.workshops == 5);
    CHECK(o.config_file == std::filesystem::path(file));
}
