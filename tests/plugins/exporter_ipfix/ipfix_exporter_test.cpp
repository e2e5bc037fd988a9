#include "support/fake_transport.hpp"
#include "exporter_ipfix/ipfix_exporter.hpp"
#include "flow_products.hpp"
#include "ipfix_reader.hpp"
#include "support/load_plugin.hpp"
#include "udp_receiver.hpp"

#include <catch2/catch.hpp>

#include <ctime>
#include <string>
#include <vector>

using namespace factory::testing;
namespace rd = factory::testing::ipfix;

namespace {

const factory_descriptor* descriptor() {
    return factory::detail::exporter_descriptor<factory::ipfix::ipfix_exporter>();
}

std::vector<flow4_record> flows(std::uint32_t n, std::uint32_t from = 0) {
    std::vector<flow4_record> v;
    for (std::uint32_t i = from; i < from + n; ++i) v.push_back(make_flow4(i));
    return v;
}

// Every message that arrives, parsed in order with the templates learnt so far, as a collector would.
std::vector<rd::message> collect(udp_receiver& rx, rd::template_store& known,
                                 std::vector<std::size_t>* sizes = nullptr) {
    std::vector<rd::message> out;
    for (const auto& d : rx.drain()) {
        if (sizes != nullptr) sizes->push_back(d.size());
        out.push_back(rd::parse(d, known));
    }
    return out;
}

std::vector<rd::data_record> records_of(const std::vector<rd::message>& ms) {
    std::vector<rd::data_record> all;
    for (const auto& m : ms) all.insert(all.end(), m.records.begin(), m.records.end());
    return all;
}

void check_flow(const rd::data_record& d, const flow4_record& r) {
    CHECK(d.values.at(8) == rd::bytes(r.src_addr.bytes, r.src_addr.bytes + 4));
    CHECK(d.values.at(12) == rd::bytes(r.dst_addr.bytes, r.dst_addr.bytes + 4));
    CHECK(d.number(7) == r.src_port);
    CHECK(d.number(11) == r.dst_port);
    CHECK(d.number(4) == r.protocol);
    CHECK(d.number(6) == r.tcp_flags);
    CHECK(d.number(2) == r.packets);
    CHECK(d.number(1) == r.bytes);
    CHECK(d.number(152) == static_cast<std::uint64_t>(r.first_seen.value / 1'000'000));
    CHECK(d.number(153) == static_cast<std::uint64_t>(r.last_seen.value / 1'000'000));
}

// A loopback UDP port where nothing listens (it was bound a moment ago, then closed): a collector
// that is down.
std::uint16_t closed_port() {
    udp_receiver probe;
    return probe.port();
}

} // namespace

TEST_CASE("every product arrives as one data record, and sequence numbers count the records before") {
    udp_receiver rx;
    fake_transport t(descriptor(), flow_pclasses(), {{"collector", rx.collector()}, {"domain", "77"}});
    REQUIRE(t.open() == FACTORY_OK);
    auto want = flows(100);
    auto batch = t.make(0, want);
    REQUIRE(t.send(batch) == FACTORY_OK);
    std::vector<std::size_t> sizes;
    rd::template_store known;
    auto ms = collect(rx, known, &sizes);
    REQUIRE(ms.size() >= 4); // 100 records of 48 bytes cannot share one 1472-byte message
    std::uint32_t before = 0;
    const auto now = static_cast<std::uint32_t>(std::time(nullptr));
    for (std::size_t i = 0; i < ms.size(); ++i) {
        CHECK(sizes[i] <= 1500 - 28);
        CHECK(ms[i].domain == 77);
        CHECK(ms[i].sequence == before);
        CHECK(ms[i].export_time + 60 >= now);
        CHECK(ms[i].templates.size() == (i == 0 ? 1u : 0u)); // once, then every template_refresh
        before += static_cast<std::uint32_t>(ms[i].records.size());
    }
    auto got = records_of(ms);
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        INFO("record " << i);
        CHECK(got[i].template_id == 256);
        check_flow(got[i], want[i]);
        CHECK_FALSE(got[i].has(148)); // pid has no element: not sent
    }

    // The next batch continues the count and needs no template.
    auto more = t.make(0, flows(3, 100));
    REQUIRE(t.send(more) == FACTORY_OK);
    auto next = collect(rx, known);
    REQUIRE(next.size() == 1);
    CHECK(next[0].sequence == 100);
    CHECK(next[0].templates.empty());
}

TEST_CASE("template_refresh 0 puts the templates in every message") {
    udp_receiver rx;
    fake_transport t(descriptor(), flow_pclasses(), {{"collector", rx.collector()}, {"template_refresh", "0"}});
    REQUIRE(t.open() == FACTORY_OK);
    auto batch = t.make(0, flows(100));
    REQUIRE(t.send(batch) == FACTORY_OK);
    rd::template_store known;
    auto ms = collect(rx, known);
    REQUIRE(ms.size() >= 4);
    for (const auto& m : ms) {
        REQUIRE(m.templates.size() == 1);
        CHECK(m.templates[0].id == 256);
    }
    CHECK(records_of(ms).size() == 100);
}

TEST_CASE("each pclass's templates go with its first data, IPv4 and IPv6 records apart") {
    udp_receiver rx;
    fake_transport t(descriptor(), flow_pclasses(), {{"collector", rx.collector()}});
    REQUIRE(t.open() == FACTORY_OK);
    flow_any_record v4{}, v6{};
    v4.ip_version = 4;
    v4.src_addr = ipv6_of({192, 0, 2, 1});
    v4.dst_addr = ipv6_of({198, 51, 100, 7});
    v4.packets = 4;
    v6.ip_version = 6;
    v6.src_addr = ipv6_of({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
    v6.dst_addr = ipv6_of({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2});
    v6.packets = 6;
    auto batch = t.make(1, std::vector<flow_any_record>{v4, v6, v4});
    REQUIRE(t.send(batch) == FACTORY_OK);
    rd::template_store known;
    auto ms = collect(rx, known);
    REQUIRE(ms.size() == 1);
    REQUIRE(ms[0].templates.size() == 2);
    CHECK(ms[0].templates[0].id == 258);
    CHECK(ms[0].templates[1].id == 259);
    CHECK(ms[0].data_sets == 3);
    auto got = records_of(ms);
    REQUIRE(got.size() == 3);
    CHECK(got[0].template_id == 259);
    CHECK(got[0].values.at(8) == rd::bytes{192, 0, 2, 1});
    CHECK(got[0].values.at(12) == rd::bytes{198, 51, 100, 7});
    CHECK(got[1].template_id == 258);
    CHECK(got[1].values.at(27) == rd::bytes(v6.src_addr.bytes, v6.src_addr.bytes + 16));
    CHECK(got[1].number(2) == 6);
    CHECK(got[2].template_id == 259);
}

TEST_CASE("a collector that is down: retry with the reason, and the retried batch sends no record twice") {
    const std::uint16_t port = closed_port();
    // 260-byte messages: the first holds the template and 3 records, the others 5 records.
    fake_transport t(descriptor(), flow_pclasses(),
                   {{"collector", "127.0.0.1:" + std::to_string(port)}, {"mtu", "288"}, {"rate", "0"}});
    REQUIRE(t.open() == FACTORY_OK);
    auto want = flows(20);
    auto batch = t.make(0, want);
    REQUIRE(t.send(batch) == FACTORY_RETRY);
    CHECK_THAT(t.error, Catch::Contains("refused") && Catch::Contains("3 of 20 records"));

    udp_receiver rx(AF_INET, port); // the collector comes back
    REQUIRE(t.send(batch) == FACTORY_OK);
    rd::template_store known;
    auto ms = collect(rx, known);
    REQUIRE_FALSE(ms.empty());
    CHECK(ms[0].templates.size() == 1); // sent again after the failure
    CHECK(ms[0].sequence == 3);
    auto got = records_of(ms);
    REQUIRE(got.size() == 17);
    for (std::size_t i = 0; i < got.size(); ++i) check_flow(got[i], want[i + 3]);

    // A different batch starts from its beginning.
    auto other = t.make(0, flows(2, 50));
    REQUIRE(t.send(other) == FACTORY_OK);
    auto more = records_of(collect(rx, known));
    REQUIRE(more.size() == 2);
    check_flow(more[0], make_flow4(50));
}

TEST_CASE("a new batch in the retried one's place, of the same size, is sent from its start") {
    const std::uint16_t port = closed_port();
    fake_transport t(descriptor(), flow_pclasses(),
                   {{"collector", "127.0.0.1:" + std::to_string(port)}, {"mtu", "288"}, {"rate", "0"}});
    REQUIRE(t.open() == FACTORY_OK);
    auto batch = t.make(0, flows(20));
    REQUIRE(t.send(batch) == FACTORY_RETRY); // 3 of 20 sent; the host then gives up on it
    udp_receiver rx(AF_INET, port);
    batch.refill(flows(20, 100), 1000); // the next round's products, in the same buffers
    REQUIRE(t.send(batch) == FACTORY_OK);
    rd::template_store known;
    auto got = records_of(collect(rx, known));
    REQUIRE(got.size() == 20);
    check_flow(got[0], make_flow4(100));
    check_flow(got[19], make_flow4(119));
}

TEST_CASE("a refusal that arrives after a batch is answered at the next batch, before sending") {
    const std::uint16_t port = closed_port();
    fake_transport t(descriptor(), flow_pclasses(), {{"collector", "127.0.0.1:" + std::to_string(port)}});
    REQUIRE(t.open() == FACTORY_OK);
    auto one = t.make(0, flows(1));
    CHECK(t.send(one) == FACTORY_OK); // the datagram left; nobody took it
    CHECK(t.send(one) == FACTORY_RETRY);
    CHECK_THAT(t.error, Catch::Contains("refused"));
}

TEST_CASE("bad settings and schemas are refused at open, naming the setting") {
    udp_receiver rx;
    auto open_error = [&](const fake_settings::overrides& s, std::vector<factory_pclass> pcs = flow_pclasses()) {
        fake_transport t(descriptor(), std::move(pcs), s);
        CHECK(t.open() == FACTORY_ERROR);
        return t.error;
    };
    CHECK_THAT(open_error({{"collector", "[::1"}}), Catch::Contains("setting 'collector'"));
    CHECK_THAT(open_error({{"collector", rx.collector()}, {"mtu", "40"}}), Catch::Contains("setting 'mtu'"));
    // flows4 fits in 72-byte messages; flows, with its two templates, does not.
    CHECK_THAT(open_error({{"collector", rx.collector()}, {"mtu", "100"}}),
               Catch::Contains("pclass 'flows' needs messages of up to 84 bytes") && Catch::Contains("raise mtu"));
    CHECK_THAT(open_error({{"collector", rx.collector()}, {"map", "nonesuch:1"}}),
               Catch::Contains("no pclass") && Catch::Contains("'nonesuch'"));
    CHECK_THAT(open_error({{"collector", rx.collector()}, {"domain", "4294967296"}}), Catch::Contains("setting 'domain'"));
    CHECK_THAT(open_error({{"collector", rx.collector()}, {"burst", "0"}}), Catch::Contains("setting 'burst'"));
    CHECK_THAT(open_error({{"collector", rx.collector()}, {"unknown", "error"}}), Catch::Contains("field 'pid'"));
}

TEST_CASE("the open log lists each pclass's elements and the fields left out") {
    udp_receiver rx;
    fake_transport t(descriptor(), flow_pclasses(), {{"collector", rx.collector()}});
    REQUIRE(t.open() == FACTORY_OK);
    REQUIRE(t.host.logs.size() == 3);
    CHECK_THAT(t.host.logs[0], Catch::Contains("pclass flows4 -> template 256") &&
                                   Catch::Contains("src_addr=sourceIPv4Address(8)") &&
                                   Catch::Contains("not sent: pid"));
    CHECK_THAT(t.host.logs[1], Catch::Contains("IPv4 records: template 259"));
}

TEST_CASE("a product of the wrong size is an error for the batch, and nothing of it is sent") {
    udp_receiver rx;
    fake_transport t(descriptor(), flow_pclasses(), {{"collector", rx.collector()}});
    REQUIRE(t.open() == FACTORY_OK);
    auto bad = t.make(0, std::vector<flow_mapped_record>{flow_mapped_record{}});
    CHECK(t.send(bad) == FACTORY_ERROR);
    CHECK_THAT(t.error, Catch::Contains("pclass 'flows4'"));
    CHECK(rx.receive(100).empty());
}

TEST_CASE("libexporter_ipfix.so describes itself and its settings") {
    const factory_descriptor* d = load_plugin(FACTORY_TEST_PLUGIN);
    CHECK(std::string(d->name) == "ipfix");
    CHECK(d->kind == FACTORY_KIND_EXPORTER);
    for (const char* key : {"collector", "domain", "mtu", "rate", "burst", "template_refresh", "map", "unknown",
                            "time_unit"})
        CHECK(find_setting(d, key) != nullptr);
    CHECK(std::string(find_setting(d, "collector")->default_value) == "127.0.0.1:4739");
}
