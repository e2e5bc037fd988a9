#include "blueprint_widget/widget.hpp"
#include "support/fake_workshop.hpp"
#include "support/load_plugin.hpp"

#include <catch2/catch.hpp>

#include <factory/util/render.hpp>

#include <arpa/inet.h>

#include <map>
#include <string>

using factory::testing::fake_workshop;
using factory::widget::widget_product;

namespace {

const factory_descriptor* descriptor() { return factory::detail::blueprint_descriptor<factory::widget::widget>(); }

factory_flow4 flow(std::uint8_t protocol, std::uint32_t bytes) {
    factory_flow4 f{};
    f.src_addr = htonl(0x0a000001);
    f.dst_addr = htonl(0x0a000002);
    f.src_port = 1234;
    f.dst_port = 80;
    f.protocol = protocol;
    f.bytes = bytes;
    return f;
}

std::string pclass_name(const factory_descriptor* d, std::uint32_t i) { return d->pclasses[i].name; }

} // namespace

TEST_CASE("FLOW4: one product per pid at fire, in its first material's protocol class") {
    fake_workshop w(descriptor());
    REQUIRE(w.feed_flow4(1, 1000, flow(6, 100)) == FACTORY_OK);
    REQUIRE(w.feed_flow4(2, 1100, flow(17, 50)) == FACTORY_OK);
    REQUIRE(w.feed_flow4(1, 1200, flow(17, 200)) == FACTORY_OK); // still tcp: first material decides
    REQUIRE(w.feed_flow4(3, 1300, flow(1, 64)) == FACTORY_OK);
    REQUIRE(w.feed_flow4(4, 1400, flow(47, 10)) == FACTORY_OK);
    REQUIRE(w.feed_flow4(1, 1500, flow(6, 300)) == FACTORY_OK);
    CHECK(w.workers() == 4);
    CHECK(w.host.products.empty()); // nothing before fire

    w.fire(1, FACTORY_FIRED_IDLE);
    w.fire_all(FACTORY_FIRED_SHUTDOWN);
    CHECK(w.host.refused == 0);
    REQUIRE(w.host.products.size() == 4);
    std::map<std::uint64_t, factory::testing::shipped_product> by_pid;
    for (const auto& p : w.host.products) by_pid[p.pid] = p;

    const auto d = descriptor();
    auto one = by_pid.at(1).as<widget_product>();
    CHECK(pclass_name(d, by_pid.at(1).pclass) == "tcp");
    CHECK(one.pid == 1);
    CHECK(one.materials == 3);
    CHECK(one.bytes == 600);
    CHECK(one.first_seen.value == 1000);
    CHECK(one.last_seen.value == 1500);
    CHECK(one.protocol == 6);
    CHECK(one.end_reason == FACTORY_FIRED_IDLE);

    auto two = by_pid.at(2).as<widget_product>();
    CHECK(pclass_name(d, by_pid.at(2).pclass) == "udp");
    CHECK(two.materials == 1);
    CHECK(two.bytes == 50);
    CHECK(two.end_reason == FACTORY_FIRED_SHUTDOWN);
    CHECK(pclass_name(d, by_pid.at(3).pclass) == "icmp");
    CHECK(pclass_name(d, by_pid.at(4).pclass) == "other");
    CHECK(by_pid.at(4).as<widget_product>().protocol == 47);
}

TEST_CASE("JSON: protocol by number or name, missing means other") {
    fake_workshop w(descriptor());
    REQUIRE(w.feed_json(10, 5, R"({"bytes":10,"protocol":"TCP"})") == FACTORY_OK);
    REQUIRE(w.feed_json(11, 5, R"({"protocol":17,"bytes":20})") == FACTORY_OK);
    REQUIRE(w.feed_json(12, 5, R"({"bytes":30,"protocol":"icmp"})") == FACTORY_OK);
    REQUIRE(w.feed_json(13, 5, R"({"bytes":40})") == FACTORY_OK);
    REQUIRE(w.feed_json(14, 5, R"({"bytes":50,"protocol":"gre"})") == FACTORY_OK);
    REQUIRE(w.feed_json(15, 5, R"({"bytes":60,"protocol":300})") == FACTORY_OK);
    REQUIRE(w.feed_json(16, 5, R"({"bytes":12.0,"protocol":"\u0075dp"})") == FACTORY_OK);
    w.fire_all(FACTORY_FIRED_SHUTDOWN);
    std::map<std::uint64_t, std::pair<std::string, widget_product>> got;
    for (const auto& p : w.host.products) got[p.pid] = {pclass_name(descriptor(), p.pclass), p.as<widget_product>()};
    CHECK(got.at(10).first == "tcp");
    CHECK(got.at(11).first == "udp");
    CHECK(got.at(12).first == "icmp");
    CHECK(got.at(13).first == "other");
    CHECK(got.at(13).second.protocol == 0);
    CHECK(got.at(14).first == "other");
    CHECK(got.at(15).first == "other");
    CHECK(got.at(16).first == "udp");
    CHECK(got.at(16).second.bytes == 12);
}

TEST_CASE("JSON without a numeric bytes field: the material is refused, naming the field") {
    fake_workshop w(descriptor());
    // As a pid's first material: no worker is hired from it.
    CHECK(w.feed_json(1, 5, R"({"protocol":"tcp"})") == FACTORY_ERROR);
    CHECK_THAT(w.last_error, Catch::Contains("'bytes'") && Catch::Contains("bytes_field"));
    CHECK(w.workers() == 0);

    REQUIRE(w.feed_json(1, 6, R"({"bytes":100,"protocol":"tcp"})") == FACTORY_OK);
    // For a live worker: that material is refused, the worker lives on unchanged.
    CHECK(w.feed_json(1, 7, R"({"bytes":"many"})") == FACTORY_ERROR);
    CHECK_THAT(w.last_error, Catch::Contains("'bytes'") && Catch::Contains("string"));
    CHECK(w.feed_json(1, 8, R"({"bytes":-5})") == FACTORY_ERROR);
    CHECK(w.feed_json(1, 8, R"({"bytes":1.5})") == FACTORY_ERROR);
    CHECK(w.feed_json(1, 9, R"({"bytes":})") == FACTORY_ERROR);
    CHECK_THAT(w.last_error, Catch::Contains("invalid at byte 9"));
    CHECK(w.workers() == 1);
    REQUIRE(w.feed_json(1, 10, R"({"bytes":1})") == FACTORY_OK);
    w.fire_all(FACTORY_FIRED_SHUTDOWN);
    REQUIRE(w.host.products.size() == 1);
    auto p = w.host.products[0].as<widget_product>();
    CHECK(p.materials == 2);
    CHECK(p.bytes == 101);
    CHECK(p.first_seen.value == 6);
    CHECK(p.last_seen.value == 10);
}

TEST_CASE("bytes_field and protocol_field settings") {
    fake_workshop w(descriptor(), {{"bytes_field", "octets"}, {"protocol_field", "proto"}});
    REQUIRE(w.feed_json(1, 1, R"({"octets":7,"proto":"udp","bytes":1000})") == FACTORY_OK);
    CHECK(w.feed_json(2, 1, R"({"bytes":7})") == FACTORY_ERROR);
    CHECK_THAT(w.last_error, Catch::Contains("'octets'"));
    w.fire_all(FACTORY_FIRED_IDLE);
    REQUIRE(w.host.products.size() == 1);
    CHECK(w.host.products[0].as<widget_product>().bytes == 7);
    CHECK(pclass_name(descriptor(), w.host.products[0].pclass) == "udp");
}

TEST_CASE("first_seen and last_seen are the earliest and latest material time") {
    fake_workshop w(descriptor());
    REQUIRE(w.feed_flow4(9, 500, flow(6, 1)) == FACTORY_OK);
    REQUIRE(w.feed_flow4(9, 300, flow(6, 1)) == FACTORY_OK);
    REQUIRE(w.feed_flow4(9, 900, flow(6, 1)) == FACTORY_OK);
    REQUIRE(w.feed_flow4(9, 700, flow(6, 1)) == FACTORY_OK);
    w.fire(9, FACTORY_FIRED_MAX_AGE);
    auto p = w.host.products.at(0).as<widget_product>();
    CHECK(p.first_seen.value == 300);
    CHECK(p.last_seen.value == 900);
    CHECK(p.end_reason == FACTORY_FIRED_MAX_AGE);
}

TEST_CASE("materials of other formats or too short are refused") {
    fake_workshop w(descriptor());
    unsigned char bytes[4] = {1, 2, 3, 4};
    CHECK(w.feed(1, 1, FACTORY_FORMAT_BYTES, bytes, sizeof bytes) == FACTORY_ERROR);
    CHECK_THAT(w.last_error, Catch::Contains("format 0"));
    CHECK(w.feed(1, 1, FACTORY_FORMAT_FLOW4, bytes, sizeof bytes) == FACTORY_ERROR);
    CHECK_THAT(w.last_error, Catch::Contains("FLOW4 material of 4 bytes"));
    CHECK(w.workers() == 0);
}

TEST_CASE("a worker refires as a new session with fresh counts") {
    fake_workshop w(descriptor());
    REQUIRE(w.feed_flow4(5, 1, flow(17, 10)) == FACTORY_OK);
    w.fire(5, FACTORY_FIRED_IDLE);
    REQUIRE(w.feed_flow4(5, 2, flow(6, 20)) == FACTORY_OK);
    w.fire(5, FACTORY_FIRED_SHUTDOWN);
    REQUIRE(w.host.products.size() == 2);
    CHECK(pclass_name(descriptor(), w.host.products[0].pclass) == "udp");
    CHECK(pclass_name(descriptor(), w.host.products[1].pclass) == "tcp");
    CHECK(w.host.products[1].as<widget_product>().bytes == 20);
    CHECK(w.host.products[1].as<widget_product>().materials == 1);
}

TEST_CASE("the product renders with the documented field names") {
    fake_workshop w(descriptor());
    REQUIRE(w.feed_flow4(77, 1'000'000'000, flow(6, 1500)) == FACTORY_OK);
    w.fire_all(FACTORY_FIRED_SHUTDOWN);
    const auto& shipped = w.host.products.at(0);
    std::string out;
    factory::render::append_json(out, descriptor()->pclasses[shipped.pclass], shipped.record.data());
    CHECK(out == R"({"pid":77,"materials":1,"bytes":1500,"first_seen":1000000000,"last_seen":1000000000,)"
                 R"("protocol":6,"end_reason":4})");
}

TEST_CASE("libwidget.so describes itself") {
    const factory_descriptor* d = factory::testing::load_plugin(FACTORY_TEST_PLUGIN);
    CHECK(std::string(d->name) == "widget");
    CHECK(d->kind == FACTORY_KIND_BLUEPRINT);
    REQUIRE(d->pclass_count == 4);
    const char* names[] = {"tcp", "udp", "icmp", "other"};
    for (std::uint32_t i = 0; i < 4; ++i) {
        CHECK(std::string(d->pclasses[i].name) == names[i]);
        CHECK(d->pclasses[i].record_size == sizeof(widget_product));
        CHECK(d->pclasses[i].field_count == 7);
    }
    CHECK(d->state_size == sizeof(factory::widget::widget_state));
    CHECK(d->blueprint->on_inspect == nullptr);
    CHECK(std::string(factory::testing::find_setting(d, "bytes_field")->default_value) == "bytes");
    CHECK(std::string(factory::testing::find_setting(d, "protocol_field")->default_value) == "protocol");
}
