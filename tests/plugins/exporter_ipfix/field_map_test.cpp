#include "exporter_ipfix/field_map.hpp"
#include "flow_products.hpp"

#include <factory/settings.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace factory::ipfix;
using namespace factory::testing;

namespace {

std::vector<std::uint16_t> ids(const layout& l) {
    std::vector<std::uint16_t> out;
    for (const column& c : l.columns) out.push_back(c.id);
    return out;
}

std::string error_of(const factory_pclass& pc, const map_options& o) {
    try {
        plan_pclass(pc, o, 256);
    } catch (const factory::error& e) {
        return e.what();
    }
    return "";
}

} // namespace

TEST_CASE("flow field names map to their information elements by name and type") {
    auto pcs = flow_pclasses();
    pclass_plan p = plan_pclass(pcs[0], {}, 300);
    CHECK(p.main.template_id == 300);
    // src_addr dst_addr src_port dst_port protocol tcp_flags end_reason packets bytes first last
    CHECK(ids(p.main) == std::vector<std::uint16_t>{8, 12, 7, 11, 4, 6, 136, 2, 1, 152, 153});
    CHECK_FALSE(p.ipv4); // IPv4 fields already: no twin
    REQUIRE(p.skipped.size() == 1);
    CHECK(p.skipped[0].rfind("pid", 0) == 0);
    // Each element in its full size: tcp_flags (u8) widens to tcpControlBits' two bytes.
    CHECK(p.main.columns[5].length == 2);
    CHECK(p.main.columns[7].length == 8);
    CHECK(p.main.fixed_size == 4 + 4 + 2 + 2 + 1 + 2 + 1 + 8 + 8 + 8 + 8);
    CHECK(p.main.template_size() == 4 + 11 * 4);
}

TEST_CASE("time_unit picks the flowStart/End element family for first_seen and last_seen") {
    auto pcs = flow_pclasses();
    map_options o;
    o.times = time_unit::nano;
    CHECK(ids(plan_pclass(pcs[0], o, 256).main)[9] == 156);
    o.times = time_unit::sec;
    pclass_plan p = plan_pclass(pcs[0], o, 256);
    CHECK(ids(p.main)[10] == 151);
    CHECK(p.main.columns[10].length == 4);
    CHECK(p.main.columns[10].enc == encoding::seconds);
}

TEST_CASE("ipv6 address fields get an IPv4 twin template, chosen per record by ip_version") {
    auto pcs = flow_pclasses();
    pclass_plan p = plan_pclass(pcs[1], {}, 258);
    CHECK(ids(p.main) == std::vector<std::uint16_t>{27, 28, 7, 11, 4, 60, 2});
    REQUIRE(p.ipv4);
    CHECK(p.ipv4->template_id == 259);
    CHECK(ids(*p.ipv4) == std::vector<std::uint16_t>{8, 12, 7, 11, 4, 60, 2});
    CHECK(p.ipv4->columns[0].length == 4);
    CHECK(p.ipv4->fixed_size == p.main.fixed_size - 24);
    REQUIRE(p.ip_version != nullptr);

    flow_any_record r{};
    r.ip_version = 4;
    CHECK(&p.layout_for(reinterpret_cast<const unsigned char*>(&r)) == &*p.ipv4);
    r.ip_version = 6;
    CHECK(&p.layout_for(reinterpret_cast<const unsigned char*>(&r)) == &p.main);
}

TEST_CASE("without ip_version, an IPv4-mapped address picks the IPv4 twin") {
    auto pcs = flow_pclasses();
    pclass_plan p = plan_pclass(pcs[2], {}, 260);
    REQUIRE(p.ipv4);
    CHECK(p.ip_version == nullptr);
    flow_mapped_record r{};
    r.src_addr = ipv6_of({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1});
    CHECK(&p.layout_for(reinterpret_cast<const unsigned char*>(&r)) == &*p.ipv4);
    r.src_addr = ipv6_of({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1});
    CHECK(&p.layout_for(reinterpret_cast<const unsigned char*>(&r)) == &p.main);
}

TEST_CASE("the map setting names elements by IANA name, number or PEN/number, or skips a field") {
    auto pcs = flow_pclasses();
    map_options o;
    o.map = "pid:flowId, packets:86 ,bytes:skip,tcp_flags:32473/7";
    pclass_plan p = plan_pclass(pcs[0], o, 256);
    CHECK(ids(p.main) == std::vector<std::uint16_t>{8, 12, 7, 11, 4, 7, 136, 86, 152, 153, 148});
    const column& flags = p.main.columns[5];
    CHECK(flags.enterprise == 32473);
    CHECK(flags.length == 1); // an element this table does not know: the field's own size
    CHECK(p.main.template_size() == 4 + 10 * 4 + 8);
    REQUIRE(p.skipped.size() == 1);
    CHECK(p.skipped[0] == "bytes (map: skip)");
}

TEST_CASE("mappings that cannot work are refused, naming the field and what to do") {
    auto pcs = flow_pclasses();
    map_options o;
    o.map = "packets:sourceIPv4Address";
    CHECK_THAT(error_of(pcs[0], o), Catch::Contains("field 'packets'") && Catch::Contains("u64 does not fit ipv4Address"));
    o.map = "packets:protocolIdentifier"; // u64 into one byte: would lose values
    CHECK_THAT(error_of(pcs[0], o), Catch::Contains("u64 does not fit unsigned8"));
    o.map = "packets:noSuchElement";
    CHECK_THAT(error_of(pcs[0], o), Catch::Contains("'noSuchElement'"));
    o.map = "packets:40000";
    CHECK_THAT(error_of(pcs[0], o), Catch::Contains("1..32767"));
    o.map = "packets";
    CHECK_THAT(error_of(pcs[0], o), Catch::Contains("is not field:element"));
    o.map = "";
    o.skip_unknown = false;
    CHECK_THAT(error_of(pcs[0], o), Catch::Contains("field 'pid'") && Catch::Contains("map=pid:"));
    o.map = "src_addr:skip,bytes:skip";
    o.skip_unknown = true;
    CHECK_THAT(error_of(pcs[2], o), Catch::Contains("no field that maps"));
}

TEST_CASE("a known name whose type does not fit is skipped as unknown") {
    struct odd { double packets; std::uint32_t src_addr; };
    static const factory::schema s = factory::make_schema<odd>({FACTORY_FIELD(odd, packets), FACTORY_FIELD(odd, src_addr)});
    factory_pclass pc = to_pclass("odd", s);
    map_options o;
    o.map = "src_addr:10";
    pclass_plan p = plan_pclass(pc, o, 256);
    CHECK(ids(p.main) == std::vector<std::uint16_t>{10});
    REQUIRE(p.skipped.size() == 1);
    CHECK_THAT(p.skipped[0], Catch::Contains("f64 does not fit unsigned64"));
}

TEST_CASE("parse_map splits entries and trims them") {
    auto e = parse_map(" a:1 ,, b : c ");
    REQUIRE(e.size() == 2);
    CHECK(e[0].field == "a");
    CHECK(e[0].element == "1");
    CHECK(e[1].field == "b");
    CHECK(e[1].element == "c");
    CHECK(parse_map("").empty());
    CHECK_THROWS_AS(parse_map("a:"), factory::error);
}
