// Figures, not tests: ./test_plugins_exporter_ipfix "[bench]"
#include "support/fake_transport.hpp"
#include "exporter_ipfix/ipfix_exporter.hpp"
#include "exporter_ipfix/message_builder.hpp"
#include "flow_products.hpp"
#include "udp_receiver.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <iostream>

using namespace factory::testing;

TEST_CASE("ipfix: records encoded into messages per second", "[.][bench]") {
    auto pcs = flow_pclasses();
    factory::ipfix::pclass_plan p = factory::ipfix::plan_pclass(pcs[0], {}, 256);
    std::vector<flow4_record> records;
    for (std::uint32_t i = 0; i < 4096; ++i) records.push_back(make_flow4(i));
    factory::ipfix::message_builder m(1472);
    const std::uint64_t total = 20'000'000;
    std::uint64_t messages = 0, bytes = 0;
    auto t0 = std::chrono::steady_clock::now();
    m.begin();
    for (std::uint64_t i = 0; i < total; ++i) {
        const auto* r = reinterpret_cast<const unsigned char*>(&records[i & 4095]);
        if (!m.add_record(p.layout_for(r), r)) {
            bytes += m.finish(0, static_cast<std::uint32_t>(i), 0).size();
            ++messages;
            m.begin();
            REQUIRE(m.add_record(p.layout_for(r), r));
        }
    }
    std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
    std::cout << "ipfix encode: " << total / dt.count() / 1e6 << " M records/s, " << messages / dt.count() / 1e6
              << " M messages/s, " << bytes / dt.count() / 1e9 << " GB/s\n";
    CHECK(messages > 0);
}

TEST_CASE("ipfix: records per second to a UDP socket, unpaced and at the default rate", "[.][bench]") {
    for (const char* rate : {"0", "5000"}) {
        udp_receiver rx;
        fake_transport t(factory::detail::exporter_descriptor<factory::ipfix::ipfix_exporter>(), flow_pclasses(),
                       {{"collector", rx.collector()}, {"rate", rate}});
        REQUIRE(t.open() == FACTORY_OK);
        std::vector<flow4_record> records;
        for (std::uint32_t i = 0; i < 10'000; ++i) records.push_back(make_flow4(i));
        auto b = t.make(0, records);
        const int rounds = rate[0] == '0' ? 50 : 5;
        auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < rounds; ++i) REQUIRE(t.send(b) == FACTORY_OK);
        std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
        std::cout << "ipfix send, rate=" << rate << ": " << rounds * 10'000 / dt.count() / 1e6 << " M records/s\n";
    }
}
