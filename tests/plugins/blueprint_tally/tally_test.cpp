#include "blueprint_tally/tally.hpp"
#include "support/fake_workshop.hpp"
#include "support/host_run.hpp"
#include "support/load_plugin.hpp"

#include <catch2/catch.hpp>

#include <factory/util/render.hpp>

#include <fstream>
#include <map>
#include <string>

using factory::tally::tally_product;
using factory::testing::fake_workshop;

namespace {

const factory_descriptor* descriptor() { return factory::detail::blueprint_descriptor<factory::tally::tally>(); }

factory_flow4 any_flow() {
    factory_flow4 f{};
    f.protocol = 6;
    f.bytes = 100;
    return f;
}

std::map<std::uint64_t, tally_product> by_pid(const fake_workshop& w) {
    std::map<std::uint64_t, tally_product> out;
    for (const auto& p : w.host.products) out[p.pid] = p.as<tally_product>();
    return out;
}

} // namespace

TEST_CASE("tally: one product per worker at fire, with the count of its materials") {
    fake_workshop w(descriptor());
    for (int i = 0; i < 5; ++i) REQUIRE(w.feed_flow4(7, i, any_flow()) == FACTORY_OK);
    REQUIRE(w.feed_flow4(8, 10, any_flow()) == FACTORY_OK);
    REQUIRE(w.feed_json(9, 11, R"({"anything":1})") == FACTORY_OK);
    REQUIRE(w.feed(9, 12, FACTORY_FORMAT_BYTES, "xyz", 3) == FACTORY_OK); // any format counts
    CHECK(w.workers() == 3);
    CHECK(w.host.products.empty());

    w.fire(8, FACTORY_FIRED_IDLE);
    w.fire_all(FACTORY_FIRED_SHUTDOWN);
    CHECK(w.host.refused == 0);
    auto got = by_pid(w);
    REQUIRE(got.size() == 3);
    CHECK(got.at(7).pid == 7);
    CHECK(got.at(7).materials == 5);
    CHECK(got.at(7).end_reason == FACTORY_FIRED_SHUTDOWN);
    CHECK(got.at(8).materials == 1);
    CHECK(got.at(8).end_reason == FACTORY_FIRED_IDLE);
    CHECK(got.at(9).materials == 2);
}

TEST_CASE("tally: a rehired pid starts counting again") {
    fake_workshop w(descriptor());
    REQUIRE(w.feed_flow4(1, 0, any_flow()) == FACTORY_OK);
    REQUIRE(w.feed_flow4(1, 1, any_flow()) == FACTORY_OK);
    w.fire(1, FACTORY_FIRED_MAX_AGE);
    REQUIRE(w.feed_flow4(1, 2, any_flow()) == FACTORY_OK);
    w.fire_all(FACTORY_FIRED_SHUTDOWN);
    REQUIRE(w.host.products.size() == 2);
    CHECK(w.host.products[0].as<tally_product>().materials == 2);
    CHECK(w.host.products[0].as<tally_product>().end_reason == FACTORY_FIRED_MAX_AGE);
    CHECK(w.host.products[1].as<tally_product>().materials == 1);
}

TEST_CASE("tally: the product renders with the documented field names") {
    fake_workshop w(descriptor());
    REQUIRE(w.feed_flow4(42, 0, any_flow()) == FACTORY_OK);
    w.fire_all(FACTORY_FIRED_SHUTDOWN);
    const auto& shipped = w.host.products.at(0);
    std::string out;
    factory::render::append_json(out, descriptor()->pclasses[shipped.pclass], shipped.record.data());
    CHECK(out == R"({"pid":42,"materials":1,"end_reason":4})");
}

TEST_CASE("libtally.so describes itself: one pclass, an 8-byte state, no inspector") {
    const factory_descriptor* d = factory::testing::load_plugin(FACTORY_TEST_PLUGIN);
    CHECK(std::string(d->name) == "tally");
    CHECK(d->kind == FACTORY_KIND_BLUEPRINT);
    REQUIRE(d->pclass_count == 1);
    CHECK(std::string(d->pclasses[0].name) == "counts");
    CHECK(d->pclasses[0].record_size == sizeof(tally_product));
    CHECK(d->pclasses[0].field_count == 3);
    CHECK(d->state_size == 8);
    CHECK(d->setting_count == 0);
    CHECK(d->blueprint->on_inspect == nullptr);
}

TEST_CASE("tally through factory-host: every pid's count, on two workshops", "[e2e]") {
    using namespace factory::testing;
    auto dir = fresh_dir("tally");
    // pid p (1..50) appears p times: 1275 materials, interleaved.
    std::map<std::uint64_t, std::uint64_t> want;
    {
        std::ofstream in(dir / "in.jsonl");
        for (std::uint64_t round = 1; round <= 50; ++round)
            for (std::uint64_t pid = round; pid <= 50; ++pid) {
                in << "{\"pid\":" << pid << "}\n";
                ++want[pid];
            }
    }
    auto r = run_host({"--source", "jsonl:file=in.jsonl", "--blueprint", "tally", "--exporter",
                       "jsonl:dir=out", "--workshops", "2", "--contract", "1h", "--inspect", "0"},
                      {.timeout = std::chrono::seconds(60), .cwd = dir});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE(r.summary.at("balanced") == true);
    CHECK(r.summary.at("assembled") == 1275);
    std::map<std::uint64_t, std::uint64_t> got;
    for (const auto& j : read_jsonl(dir / "out" / "counts.jsonl")) {
        CHECK(j.at("end_reason") == FACTORY_FIRED_SHUTDOWN);
        got[j.at("pid").get<std::uint64_t>()] += j.at("materials").get<std::uint64_t>();
    }
    CHECK(got == want);
    std::filesystem::remove_all(dir);
}
