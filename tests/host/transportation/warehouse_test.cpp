// The warehouse: products copied into their pclass's bay, shelved in arrival order, aligned, and
// cleared bay by bay with the totals kept exact.
#include "transportation/warehouse.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <vector>

using factory::transportation::warehouse;

namespace {

// A product whose record is `size` bytes, each byte = seed + i.
std::vector<std::uint64_t> product(std::uint64_t pid, std::uint32_t pclass, std::uint32_t size, std::uint8_t seed) {
    std::vector<std::uint64_t> words(1 + (sizeof(factory_product) + size) / 8, 0);
    auto* p = reinterpret_cast<factory_product*>(words.data());
    p->pid = pid;
    p->time_ns = static_cast<std::int64_t>(pid) * 1000;
    p->pclass = pclass;
    p->size = size;
    auto* bytes = reinterpret_cast<std::uint8_t*>(p + 1);
    for (std::uint32_t i = 0; i < size; ++i) bytes[i] = static_cast<std::uint8_t>(seed + i);
    return words;
}

const factory_product& as_product(const std::vector<std::uint64_t>& words) {
    return *reinterpret_cast<const factory_product*>(words.data());
}

bool record_intact(const factory_product* p, std::uint8_t seed) {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(p + 1);
    for (std::uint32_t i = 0; i < p->size; ++i)
        if (bytes[i] != static_cast<std::uint8_t>(seed + i)) return false;
    return true;
}

} // namespace

TEST_CASE("products are kept by pclass, in arrival order, as copies", "[warehouse]") {
    warehouse w(3);
    CHECK(w.bays() == 3);
    CHECK(w.products() == 0);
    {
        auto a = product(1, 0, 24, 10);
        auto b = product(2, 2, 5, 20);
        auto c = product(3, 0, 24, 30);
        w.store(as_product(a));
        w.store(as_product(b));
        w.store(as_product(c));
        // The originals go out of scope here: the warehouse holds its own copies.
    }
    CHECK(w.products() == 3);
    // Every product takes whole 8-byte words: 24 + 24 bytes for the header and a 24-byte record,
    // 24 + 8 for a 5-byte one.
    CHECK(w.bytes() == 48 + 48 + 32);

    const auto& flows = w.shelf(0);
    REQUIRE(flows.size() == 2);
    CHECK(flows[0]->pid == 1);
    CHECK(flows[0]->time_ns == 1000);
    CHECK(flows[1]->pid == 3);
    CHECK(record_intact(flows[0], 10));
    CHECK(record_intact(flows[1], 30));
    CHECK(w.shelf(1).empty());
    const auto& odd = w.shelf(2);
    REQUIRE(odd.size() == 1);
    CHECK(odd[0]->size == 5);
    CHECK(record_intact(odd[0], 20));
}

TEST_CASE("every product on a shelf starts 8-byte aligned, whatever the sizes before it", "[warehouse]") {
    warehouse w(1);
    std::vector<std::uint32_t> sizes{1, 7, 8, 9, 0, 13, 64, 3};
    for (std::size_t i = 0; i < sizes.size(); ++i)
        w.store(as_product(product(i, 0, sizes[i], static_cast<std::uint8_t>(i * 16))));
    const auto& shelf = w.shelf(0);
    REQUIRE(shelf.size() == sizes.size());
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        INFO("product " << i);
        CHECK(reinterpret_cast<std::uintptr_t>(shelf[i]) % 8 == 0);
        CHECK(shelf[i]->pid == i);
        CHECK(shelf[i]->size == sizes[i]);
        CHECK(record_intact(shelf[i], static_cast<std::uint8_t>(i * 16)));
    }
}

TEST_CASE("a bay that grows keeps every product it already held", "[warehouse]") {
    warehouse w(1);
    for (std::uint64_t pid = 0; pid < 5000; ++pid)
        w.store(as_product(product(pid, 0, static_cast<std::uint32_t>(pid % 40), static_cast<std::uint8_t>(pid))));
    const auto& shelf = w.shelf(0);
    REQUIRE(shelf.size() == 5000);
    std::size_t intact = 0;
    for (std::uint64_t pid = 0; pid < 5000; ++pid)
        if (shelf[pid]->pid == pid && record_intact(shelf[pid], static_cast<std::uint8_t>(pid))) ++intact;
    CHECK(intact == 5000);
}

TEST_CASE("clearing a bay empties it alone and keeps the totals exact", "[warehouse]") {
    warehouse w(2);
    w.store(as_product(product(1, 0, 16, 1)));
    w.store(as_product(product(2, 0, 16, 2)));
    w.store(as_product(product(3, 1, 4, 3)));
    CHECK(w.products() == 3);
    CHECK(w.bytes() == 40 + 40 + 32);

    w.clear(0);
    CHECK(w.products() == 1);
    CHECK(w.bytes() == 32);
    CHECK(w.shelf(0).empty());
    REQUIRE(w.shelf(1).size() == 1);
    CHECK(w.shelf(1)[0]->pid == 3);

    // A cleared bay is used again from its start.
    w.store(as_product(product(4, 0, 16, 4)));
    const auto& again = w.shelf(0);
    REQUIRE(again.size() == 1);
    CHECK(again[0]->pid == 4);
    CHECK(record_intact(again[0], 4));
    w.clear(0);
    w.clear(1);
    CHECK(w.products() == 0);
    CHECK(w.bytes() == 0);
}
