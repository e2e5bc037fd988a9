// Hangs outside workshops: an exporter stuck in a hook, a source stuck in its fill that ignores the
// stop. The run ends anyway, says what it cut off, and the other exporters get every product.
#include "supervision_support.hpp"

#include <catch2/catch.hpp>

using namespace factory::testing;
using namespace std::chrono_literals;

TEST_CASE("an exporter stuck in on_export is cut off after --hang-timeout, and the next exporter gets every "
          "product",
          "[supervision]") {
    auto dir = fresh_dir("stuckex");
    write_input(dir / "in.jsonl", 5000, 0);
    auto r = run_in(dir, {"--source", "jsonl:file=in.jsonl", "--blueprint", faulty, "--exporter",
                          hostile_exporter + ":fault=hang", "--exporter", "jsonl:dir=out", "--contract", "1h",
                          "--hang-timeout", "1s", "--dead-letter", "dead"});
    INFO(r.err);
    require_ended(r, 1);
    const auto& s = r.summary;
    CHECK(u(s, "shipped") == 50); // one product per pid, all fired at the end
    const auto& stuck = s.at("exporters").at(0);
    const auto& jsonl = s.at("exporters").at(1);
    CHECK(u(stuck, "exported") == 0);
    CHECK(u(stuck, "dead_lettered") == 50);
    CHECK(u(jsonl, "exported") == 50);
    CHECK(read_jsonl(dir / "out" / "tally.jsonl").size() == 50);
    CHECK(contains(r.err, "exporter hostile_exporter has not returned from on_export for 1s"));
    // Its products are dead letters, with the reason.
    auto dead = all_lines(dir / "dead");
    REQUIRE(dead.size() == 50);
    CHECK(contains(dead[0].at("reason").get<std::string>(), "stuck in on_export"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("a source stuck in its fill that ignores the stop is killed a few seconds after it", "[supervision]") {
    auto dir = fresh_dir("stucksrc");
    auto r = run_in(dir, {"--source", hostile_source + ":count=1000,fault=hang", "--blueprint", "tally", "--exporter",
                          "null", "--workshops", "2", "--duration", "1s"});
    INFO(r.err);
    require_ended(r, 1);
    const auto& s = r.summary;
    CHECK(u(s, "purchased") == 1000);
    CHECK(contains(r.err, "has not returned from source hostile_source 5s after the stop"));
    std::filesystem::remove_all(dir);
}
