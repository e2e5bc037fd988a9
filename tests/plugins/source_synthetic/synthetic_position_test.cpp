// Checkpoints of the synthetic source: after on_seek to a position, a new instance makes, byte for
// byte, what an uninterrupted run makes from there on.
#include "source_synthetic/synthetic_source.hpp"
#include "support/fake_purchasing.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using factory::testing::fake_purchasing;

namespace {

const factory_descriptor* descriptor() {
    return factory::detail::source_descriptor<factory::synthetic::synthetic_source>();
}

// pid and payload of every material, as one byte string per material.
std::vector<std::string> materials_of(const fake_purchasing& p, std::size_t from = 0) {
    std::vector<std::string> out;
    for (std::size_t i = from; i < p.room.materials.size(); ++i) {
        const auto& m = p.room.materials[i];
        std::string bytes(reinterpret_cast<const char*>(&m.pid), sizeof m.pid);
        bytes.append(m.text());
        out.push_back(std::move(bytes));
    }
    return out;
}

} // namespace

TEST_CASE("synthetic: after a seek, the materials equal an uninterrupted run's from there on") {
    for (const char* skew : {"0", "1.2"}) {
        INFO("skew " << skew);
        const factory::testing::fake_settings::overrides s = {{"seed", "11"}, {"keys", "300"}, {"skew", skew}};
        fake_purchasing whole(descriptor(), s);
        REQUIRE(whole.open() == FACTORY_OK);
        REQUIRE(whole.fill(700) == FACTORY_OK);
        REQUIRE(whole.fill(300) == FACTORY_OK);

        fake_purchasing first(descriptor(), s);
        REQUIRE(first.open() == FACTORY_OK);
        REQUIRE(first.fill(350) == FACTORY_OK);
        std::string pos;
        REQUIRE(first.position(pos) == FACTORY_OK);

        fake_purchasing second(descriptor(), s);
        REQUIRE(second.open() == FACTORY_OK);
        REQUIRE(second.seek(pos) == FACTORY_OK);
        REQUIRE(second.fill(650) == FACTORY_OK);
        const auto expected = materials_of(whole, 350);
        REQUIRE(expected.size() == 650);
        CHECK(materials_of(second) == expected);
    }
}

TEST_CASE("synthetic: a fill cut short by the stop does not shift what follows") {
    fake_purchasing whole(descriptor(), {{"seed", "5"}});
    REQUIRE(whole.open() == FACTORY_OK);
    REQUIRE(whole.fill(200) == FACTORY_OK);

    fake_purchasing cut(descriptor(), {{"seed", "5"}});
    REQUIRE(cut.open() == FACTORY_OK);
    REQUIRE(cut.fill(100) == FACTORY_OK);
    cut.room.stopping = true; // the host refuses the next add: that material was drawn but not made
    REQUIRE(cut.fill(50) == FACTORY_OK);
    cut.room.stopping = false;
    std::string pos;
    REQUIRE(cut.position(pos) == FACTORY_OK);
    REQUIRE(cut.fill(100) == FACTORY_OK);
    CHECK(materials_of(cut) == materials_of(whole)); // the same instance goes on without a gap

    fake_purchasing resumed(descriptor(), {{"seed", "5"}});
    REQUIRE(resumed.open() == FACTORY_OK);
    REQUIRE(resumed.seek(pos) == FACTORY_OK);
    REQUIRE(resumed.fill(100) == FACTORY_OK);
    CHECK(materials_of(resumed) == materials_of(whole, 100));
}

TEST_CASE("synthetic: the count ends at the same place after a seek") {
    fake_purchasing first(descriptor(), {{"count", "10"}});
    REQUIRE(first.open() == FACTORY_OK);
    REQUIRE(first.fill(4) == FACTORY_OK);
    std::string pos;
    REQUIRE(first.position(pos) == FACTORY_OK);
    fake_purchasing second(descriptor(), {{"count", "10"}});
    REQUIRE(second.open() == FACTORY_OK);
    REQUIRE(second.seek(pos) == FACTORY_OK);
    CHECK(second.fill(100) == FACTORY_END);
    CHECK(second.room.materials.size() == 6);
}

TEST_CASE("synthetic: a position of other settings is refused, naming them") {
    fake_purchasing first(descriptor(), {{"seed", "1"}});
    REQUIRE(first.open() == FACTORY_OK);
    REQUIRE(first.fill(3) == FACTORY_OK);
    std::string pos;
    REQUIRE(first.position(pos) == FACTORY_OK);
    fake_purchasing other(descriptor(), {{"seed", "2"}});
    REQUIRE(other.open() == FACTORY_OK);
    CHECK(other.seek(pos) == FACTORY_ERROR);
    CHECK(other.error == "source synthetic: the checkpoint was taken with seed=1 keys=5000, this run has seed=2 "
                         "keys=5000; resume with the settings of the checkpointed run");
    fake_purchasing skewed(descriptor(), {{"seed", "1"}, {"skew", "1.1"}});
    REQUIRE(skewed.open() == FACTORY_OK);
    CHECK(skewed.seek(pos) == FACTORY_ERROR);
    CHECK(skewed.error == "source synthetic: the checkpoint was taken with other skew or protocols settings; resume "
                          "with the settings of the checkpointed run");
    CHECK(other.seek("junk") == FACTORY_ERROR);
    CHECK(other.error == "source synthetic: the checkpoint's position was not written by the synthetic source");
    CHECK(other.seek(pos.substr(0, 10)) == FACTORY_ERROR);
    CHECK_THAT(other.error, Catch::StartsWith("source position is too short (10 bytes)"));
}
