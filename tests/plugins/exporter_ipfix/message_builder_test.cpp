#include "exporter_ipfix/message_builder.hpp"
#include "flow_products.hpp"
#include "ipfix_reader.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace factory::ipfix;
using namespace factory::testing;
namespace rd = factory::testing::ipfix;

namespace {

const unsigned char* raw(const void* p) { return static_cast<const unsigned char*>(p); }

rd::message read(std::span<const unsigned char> bytes, rd::template_store& known) {
    return rd::parse(bytes.data(), bytes.size(), known);
}

} // namespace

TEST_CASE("a message carries its header, a template set and the records' values in network order") {
    auto pcs = flow_pclasses();
    pclass_plan p = plan_pclass(pcs[0], {}, 256);
    message_builder m(1472);
    m.begin();
    const layout* ts[] = {&p.main};
    REQUIRE(m.add_templates(ts));
    flow4_record r = make_flow4(7);
    REQUIRE(m.add_record(p.main, raw(&r)));
    auto bytes = m.finish(1'700'000'123, 42, 9);

    rd::template_store known;
    rd::message msg = read(bytes, known);
    CHECK(msg.export_time == 1'700'000'123);
    CHECK(msg.sequence == 42);
    CHECK(msg.domain == 9);
    REQUIRE(msg.templates.size() == 1);
    CHECK(msg.templates[0].id == 256);
    CHECK(msg.templates[0].fields.size() == 11);
    CHECK(msg.templates[0].fields[5].key == 6);
    CHECK(msg.templates[0].fields[5].length == 2);
    REQUIRE(msg.records.size() == 1);
    const rd::data_record& d = msg.records[0];
    CHECK(d.values.at(8) == rd::bytes{10, 0, 0, 7});
    CHECK(d.values.at(12) == rd::bytes{192, 168, 1, 2});
    CHECK(d.number(7) == 1031);
    CHECK(d.number(11) == 443);
    CHECK(d.number(4) == 6);
    CHECK(d.values.at(6) == rd::bytes{0x00, 0x1b});
    CHECK(d.number(136) == 3);
    CHECK(d.number(2) == 17);
    CHECK(d.number(1) == 1'000'000'000'007ULL);
    CHECK(d.number(152) == 1'700'000'000'123ULL); // 123.456789 ms rounds down
    CHECK(d.number(153) == 1'700'000'006'000ULL); // 5.999999999+7 ns: 6.000000006 s
    CHECK(m.records() == 1);
}

TEST_CASE("seconds, NTP micro- and nanoseconds, booleans, signed, float and strings") {
    struct mix {
        factory::time_ns a, b, c;
        bool yes, no;
        std::int64_t neg;
        double half;
        char name[300];
    };
    static const factory::schema s = factory::make_schema<mix>(
        {FACTORY_FIELD(mix, a), FACTORY_FIELD(mix, b), FACTORY_FIELD(mix, c), FACTORY_FIELD(mix, yes),
         FACTORY_FIELD(mix, no), FACTORY_FIELD(mix, neg), FACTORY_FIELD(mix, half), FACTORY_FIELD(mix, name)});
    factory_pclass pc = to_pclass("mix", s);
    map_options o;
    o.map = "a:flowStartSeconds,b:flowStartMicroseconds,c:flowStartNanoseconds,yes:1/1,no:1/2,neg:1/3,half:1/4,"
            "name:applicationName";
    pclass_plan p = plan_pclass(pc, o, 256);
    mix r{};
    r.a.value = 1'700'000'000'999'999'999LL;
    r.b.value = 1'500'001'000LL;       // 1.500001 s after the Unix epoch
    r.c.value = -5;                   // before the Unix epoch: written as the epoch
    r.yes = true;
    r.neg = -2;
    r.half = 0.5;
    std::memset(r.name, 'x', 280);

    message_builder m(1472);
    m.begin();
    const layout* ts[] = {&p.main};
    REQUIRE(m.add_templates(ts));
    REQUIRE(m.add_record(p.main, raw(&r)));
    std::memset(r.name, 0, sizeof r.name);
    std::memcpy(r.name, "dns", 3);
    REQUIRE(m.add_record(p.main, raw(&r)));
    rd::template_store known;
    rd::message msg = read(m.finish(0, 0, 0), known);
    REQUIRE(msg.records.size() == 2);
    const rd::data_record& d = msg.records[0];
    CHECK(d.values.at(150).size() == 4);
    CHECK(d.number(150) == 1'700'000'000);
    // NTP: seconds since 1900, then the fraction of 2^32; microseconds clear the low 11 bits.
    CHECK(d.number(154) >> 32 == 2'208'988'800ULL + 1);
    CHECK((d.number(154) & 0xffffffffULL) == ((500'001'000ULL << 32) / 1'000'000'000ULL & ~0x7ffULL));
    CHECK(d.number(156) == 2'208'988'800ULL << 32);
    CHECK(d.number(1u << 16 | 1) == 1);
    CHECK(d.number(1u << 16 | 2) == 2);
    CHECK(d.number(1u << 16 | 3) == 0xfffffffffffffffeULL);
    CHECK(d.number(1u << 16 | 4) == 0x3fe0000000000000ULL);
    CHECK(d.values.at(96) == rd::bytes(280, 'x')); // 255 + two length bytes
    CHECK(msg.records[1].values.at(96) == rd::bytes{'d', 'n', 's'});
}

TEST_CASE("records fill the message up to its size, sharing a data set per template") {
    auto pcs = flow_pclasses();
    pclass_plan p = plan_pclass(pcs[1], {}, 256);
    REQUIRE(p.ipv4);
    const std::size_t size = 16 + 4 + 3 * p.main.fixed_size + 4 + 2 * p.ipv4->fixed_size;
    message_builder m(size);
    m.begin();
    flow_any_record v6{}, v4{};
    v6.ip_version = 6;
    v6.packets = 6;
    v4.ip_version = 4;
    v4.packets = 4;
    v4.src_addr = ipv6_of({10, 1, 2, 3});
    v4.dst_addr = ipv6_of({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 9});
    for (int i = 0; i < 3; ++i) REQUIRE(m.add_record(p.layout_for(raw(&v6)), raw(&v6)));
    for (int i = 0; i < 2; ++i) REQUIRE(m.add_record(p.layout_for(raw(&v4)), raw(&v4)));
    CHECK_FALSE(m.add_record(p.main, raw(&v6)));
    CHECK_FALSE(m.add_record(*p.ipv4, raw(&v4)));
    CHECK(m.records() == 5);
    auto bytes = m.finish(0, 0, 0);
    CHECK(bytes.size() == size);

    rd::template_store known{{256, {256, {}}}, {257, {257, {}}}};
    for (const layout* l : {&p.main, &*p.ipv4}) {
        rd::template_record t{l->template_id, {}};
        for (const column& c : l->columns) t.fields.push_back({c.id, c.length});
        known[l->template_id] = t;
    }
    rd::message msg = read(bytes, known);
    CHECK(msg.data_sets == 2);
    REQUIRE(msg.records.size() == 5);
    CHECK(msg.records[0].template_id == 256);
    CHECK(msg.records[0].values.at(27).size() == 16);
    CHECK(msg.records[4].template_id == 257);
    CHECK(msg.records[4].values.at(8) == rd::bytes{10, 1, 2, 3});        // first 4 bytes
    CHECK(msg.records[4].values.at(12) == rd::bytes{192, 0, 2, 9});      // IPv4-mapped: last 4
    CHECK(msg.records[4].number(2) == 4);
}

TEST_CASE("templates that do not fit are not added, and begin() empties the message") {
    auto pcs = flow_pclasses();
    pclass_plan p = plan_pclass(pcs[0], {}, 256);
    message_builder m(16 + 4 + p.main.template_size() - 1);
    m.begin();
    const layout* ts[] = {&p.main};
    CHECK_FALSE(m.add_templates(ts));
    CHECK(m.empty());
    message_builder big(1472);
    big.begin();
    REQUIRE(big.add_templates(ts));
    CHECK_FALSE(big.empty());
    big.begin();
    CHECK(big.empty());
    CHECK(big.finish(0, 0, 0).size() == 16);
}
