#include "source_synthetic/synthetic_source.hpp"
#include "support/fake_purchasing.hpp"
#include "support/load_plugin.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>

#include <chrono>
#include <cstring>
#include <iostream>
#include <algorithm>
#include <map>
#include <vector>
#include <set>

using factory::testing::fake_purchasing;
namespace syn = factory::synthetic;

namespace {

const factory_descriptor* descriptor() {
    return factory::detail::source_descriptor<syn::synthetic_source>();
}

bool same_flow(const factory_flow4& a, const factory_flow4& b) {
    return std::memcmp(&a, &b, sizeof a) == 0;
}

} // namespace

TEST_CASE("the same seed gives the same materials, another seed others") {
    fake_purchasing a(descriptor(), {{"seed", "7"}});
    fake_purchasing b(descriptor(), {{"seed", "7"}});
    fake_purchasing c(descriptor(), {{"seed", "8"}});
    REQUIRE(a.open() == FACTORY_OK);
    REQUIRE(b.open() == FACTORY_OK);
    REQUIRE(c.open() == FACTORY_OK);
    // Different room sizes: the sequence must not depend on how it is cut into calls.
    for (int i = 0; i < 4; ++i) REQUIRE(a.fill(250) == FACTORY_OK);
    for (int i = 0; i < 10; ++i) REQUIRE(b.fill(100) == FACTORY_OK);
    REQUIRE(c.fill(1000) == FACTORY_OK);
    REQUIRE(a.room.materials.size() == 1000);
    REQUIRE(b.room.materials.size() == 1000);
    int differ = 0;
    for (std::size_t i = 0; i < 1000; ++i) {
        const auto& x = a.room.materials[i];
        const auto& y = b.room.materials[i];
        REQUIRE(x.pid == y.pid);
        REQUIRE(same_flow(x.as<factory_flow4>(), y.as<factory_flow4>()));
        if (x.pid != c.room.materials[i].pid) ++differ;
    }
    CHECK(differ > 900);
}

TEST_CASE("exactly `keys` distinct pids, each the hash of its address pair") {
    fake_purchasing p(descriptor(), {{"keys", "100"}});
    REQUIRE(p.open() == FACTORY_OK);
    REQUIRE(p.fill(20000) == FACTORY_OK);
    std::set<std::uint64_t> pids;
    std::map<std::uint64_t, std::pair<std::uint32_t, std::uint32_t>> pair_of_pid;
    for (const auto& m : p.room.materials) {
        auto f = m.as<factory_flow4>();
        REQUIRE(m.format == FACTORY_FORMAT_FLOW4);
        REQUIRE(m.payload.size() == sizeof(factory_flow4));
        REQUIRE(m.time_ns == 0);
        std::uint32_t src = ntohl(f.src_addr), dst = ntohl(f.dst_addr);
        // The documented pid rule, computed independently of the generator.
        std::uint64_t x = static_cast<std::uint64_t>(src) << 32 | dst;
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
        x ^= x >> 31;
        REQUIRE(m.pid == x);
        pids.insert(m.pid);
        auto [it, fresh] = pair_of_pid.emplace(m.pid, std::make_pair(src, dst));
        if (!fresh) REQUIRE(it->second == std::make_pair(src, dst));
    }
    CHECK(pids.size() == 100);
}

TEST_CASE("keys=1 gives a single pid") {
    fake_purchasing p(descriptor(), {{"keys", "1"}});
    REQUIRE(p.open() == FACTORY_OK);
    REQUIRE(p.fill(500) == FACTORY_OK);
    std::set<std::uint64_t> pids;
    for (const auto& m : p.room.materials) pids.insert(m.pid);
    CHECK(pids.size() == 1);
}

TEST_CASE("count is respected and then the input ends") {
    fake_purchasing p(descriptor(), {{"count", "2500"}});
    REQUIRE(p.open() == FACTORY_OK);
    CHECK(p.fill(1000) == FACTORY_OK);
    CHECK(p.fill(1000) == FACTORY_OK);
    CHECK(p.fill(1000) == FACTORY_END);
    CHECK(p.room.added == 2500);
    CHECK(p.room.refused == 0);
}

TEST_CASE("count 0 never ends, each call fills exactly its room") {
    fake_purchasing p(descriptor());
    REQUIRE(p.open() == FACTORY_OK);
    for (std::uint32_t room : {1u, 7u, 4096u}) {
        auto before = p.room.added;
        CHECK(p.fill(room) == FACTORY_OK);
        CHECK(p.room.added - before == room);
    }
    CHECK(p.fill(0) == FACTORY_OK);
    CHECK(p.room.refused == 0);
}

TEST_CASE("a stopping host gets no materials and the source returns") {
    fake_purchasing p(descriptor(), {{"count", "10"}});
    REQUIRE(p.open() == FACTORY_OK);
    p.room.stopping = true;
    CHECK(p.fill(100) == FACTORY_OK);
    CHECK(p.room.added == 0);
    p.room.stopping = false;
    CHECK(p.fill(100) == FACTORY_END);
    CHECK(p.room.added == 10);
}

TEST_CASE("fields are in their documented ranges and follow the protocol mix") {
    fake_purchasing p(descriptor(), {{"seed", "3"}});
    REQUIRE(p.open() == FACTORY_OK);
    REQUIRE(p.fill(100000) == FACTORY_OK);
    std::map<int, int> protocols;
    for (const auto& m : p.room.materials) {
        auto f = m.as<factory_flow4>();
        ++protocols[f.protocol];
        REQUIRE(f.bytes >= 40);
        REQUIRE(f.bytes <= 1500);
        REQUIRE(f.reserved[0] == 0);
        if (f.protocol == 6 || f.protocol == 17) {
            REQUIRE(ntohs(f.src_port) != 0);
            REQUIRE(f.src_port >= 1024);
            REQUIRE(f.dst_port != 0);
        } else {
            REQUIRE(f.src_port == 0);
            REQUIRE(f.dst_port == 0);
        }
    }
    CHECK(protocols.size() == 3);
    // The default mix is tcp:70,udp:25,icmp:5 (rounded to 1/256): 179, 64 and 13 slots.
    CHECK(protocols[6] > 67000);
    CHECK(protocols[6] < 73000);
    CHECK(protocols[17] > 23000);
    CHECK(protocols[17] < 27000);
    CHECK(protocols[1] > 4000);
    CHECK(protocols[1] < 6200);
}

TEST_CASE("the protocol mix table") {
    auto t = syn::parse_protocol_mix("tcp:1, udp:1");
    int tcp = 0, udp = 0;
    for (const auto& s : t) {
        if (s.protocol == 6) ++tcp;
        if (s.protocol == 17) ++udp;
        CHECK(s.has_ports);
    }
    CHECK(tcp == 128);
    CHECK(udp == 128);
    auto g = syn::parse_protocol_mix("47:3,icmp:0");
    for (const auto& s : g) {
        CHECK(s.protocol == 47);
        CHECK_FALSE(s.has_ports);
    }
    CHECK_THROWS_WITH(syn::parse_protocol_mix("tcp"), Catch::Contains("bad entry 'tcp'"));
    CHECK_THROWS_WITH(syn::parse_protocol_mix("tcp:x"), Catch::Contains("weight"));
    CHECK_THROWS_WITH(syn::parse_protocol_mix("gre:1"), Catch::Contains("protocol number"));
    CHECK_THROWS_WITH(syn::parse_protocol_mix("256:1"), Catch::Contains("protocol number"));
    CHECK_THROWS_WITH(syn::parse_protocol_mix("tcp:0"), Catch::Contains("add up to 0"));
    CHECK_THROWS_WITH(syn::parse_protocol_mix(""), Catch::Contains("add up to 0"));
}

TEST_CASE("skew makes a few pids carry most materials, by Zipf's law") {
    // keys=1000, skew=1: key k has weight 1/(k+1), so the heaviest carries 1/H(1000) = 13.4% and
    // the tenth 1.34%; uniform keys would give each 0.1%.
    fake_purchasing p(descriptor(), {{"keys", "1000"}, {"skew", "1"}});
    REQUIRE(p.open() == FACTORY_OK);
    for (int i = 0; i < 20; ++i) REQUIRE(p.fill(10000) == FACTORY_OK);
    std::map<std::uint64_t, std::uint64_t> per_pid;
    for (const auto& m : p.room.materials) ++per_pid[m.pid];
    std::vector<std::uint64_t> counts;
    for (const auto& [pid, n] : per_pid) counts.push_back(n);
    std::sort(counts.rbegin(), counts.rend());
    const double total = static_cast<double>(p.room.materials.size());
    CHECK(counts[0] / total == Approx(0.1336).margin(0.005));
    CHECK(counts[9] / total == Approx(0.01336).margin(0.002));
    CHECK(per_pid.size() <= 1000);
    // skew=0 keeps the uniform draw, material for material.
    fake_purchasing flat(descriptor(), {{"keys", "1000"}, {"skew", "0"}});
    fake_purchasing plain(descriptor(), {{"keys", "1000"}});
    REQUIRE(flat.open() == FACTORY_OK);
    REQUIRE(plain.open() == FACTORY_OK);
    REQUIRE(flat.fill(1000) == FACTORY_OK);
    REQUIRE(plain.fill(1000) == FACTORY_OK);
    for (std::size_t i = 0; i < 1000; ++i) REQUIRE(flat.room.materials[i].pid == plain.room.materials[i].pid);
}

TEST_CASE("bad settings are refused at open with the setting's name") {
    fake_purchasing zero(descriptor(), {{"keys", "0"}});
    CHECK(zero.open() == FACTORY_ERROR);
    CHECK_THAT(zero.error, Catch::Contains("'keys'"));
    fake_purchasing mix(descriptor(), {{"protocols", "tcp=1"}});
    CHECK(mix.open() == FACTORY_ERROR);
    CHECK_THAT(mix.error, Catch::Contains("'protocols'"));
    fake_purchasing negative(descriptor(), {{"skew", "-1"}});
    CHECK(negative.open() == FACTORY_ERROR);
    CHECK_THAT(negative.error, Catch::Contains("setting 'skew' is -1"));
    fake_purchasing too_many(descriptor(), {{"skew", "1"}, {"keys", "100000000"}});
    CHECK(too_many.open() == FACTORY_ERROR);
    CHECK_THAT(too_many.error, Catch::Contains("needs keys=16777216 or fewer"));
}

TEST_CASE("the built plugin describes itself") {
    const factory_descriptor* d = factory::testing::load_plugin(FACTORY_TEST_PLUGIN);
    CHECK(std::string(d->name) == "synthetic");
    CHECK(d->kind == FACTORY_KIND_SOURCE);
    REQUIRE(d->source != nullptr);
    const auto* keys = factory::testing::find_setting(d, "keys");
    REQUIRE(keys != nullptr);
    CHECK(std::string(keys->default_value) == "5000");
    CHECK(keys->type == FACTORY_SETTING_UINT);
    for (const char* k : {"count", "seed", "protocols"}) CHECK(factory::testing::find_setting(d, k) != nullptr);
}

// A figure, not a test: ./test_plugins_source_synthetic "[bench]"
TEST_CASE("synthetic materials per second through the fake host", "[.][bench]") {
    fake_purchasing p(descriptor());
    REQUIRE(p.open() == FACTORY_OK);
    p.room.keep = false;
    const std::uint64_t total = 200'000'000;
    auto t0 = std::chrono::steady_clock::now();
    while (p.room.added < total) REQUIRE(p.fill(4096) == FACTORY_OK);
    std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
    std::cout << "synthetic: " << p.room.added / dt.count() / 1e6 << " M materials/s ("
              << dt.count() * 1e9 / p.room.added << " ns each), checksum " << p.room.pid_checksum << "\n";
}
