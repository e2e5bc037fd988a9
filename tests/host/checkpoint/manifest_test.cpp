// manifest.hpp: every field survives to_json/from_json, 64-bit values exactly; a missing or
// mistyped field is named with its path.
#include "checkpoint/manifest.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

namespace cp = factory::checkpoint;

namespace {

cp::manifest sample() {
    cp::manifest m;
    m.epoch = 7;
    m.created_unix_ns = 1'764'000'000'123'456'789LL;
    m.workshops = 2;
    m.source_name = "kafka";
    m.source_settings = "brokers=a:9092,topic=flows";
    m.position_text = "0a0b0c";
    m.purchased = 123'456'789'012ULL;
    m.blueprint = {"sessions", "1.0.0", 24, 8, 0xffffffffffffffffULL};
    m.final = true;
    m.end_of_input = false;
    m.exporters = {"jsonl", "sqlite"};
    m.files = {{"purchasing.snap", 200, 0x8000000000000001ULL, 0}, {"workshop-0.snap", 4096, 0xabcdefULL, 3}};
    return m;
}

std::string error_of(const std::string& text) {
    try {
        cp::manifest::from_json(text);
    } catch (const cp::checkpoint_error& e) {
        return e.what();
    }
    return "(accepted)";
}

} // namespace

TEST_CASE("a manifest survives to_json and from_json, 64-bit values exactly") {
    const cp::manifest m = sample();
    const cp::manifest back = cp::manifest::from_json(m.to_json());
    CHECK(back.epoch == 7);
    CHECK(back.created_unix_ns == 1'764'000'000'123'456'789LL);
    CHECK(back.workshops == 2);
    CHECK(back.source_name == "kafka");
    CHECK(back.source_settings == "brokers=a:9092,topic=flows");
    CHECK(back.position_text == "0a0b0c");
    CHECK(back.purchased == 123'456'789'012ULL);
    CHECK(back.blueprint == m.blueprint);
    CHECK(back.final);
    CHECK_FALSE(back.end_of_input);
    CHECK(back.exporters == m.exporters);
    CHECK(back.files == m.files);
    CHECK(back.to_json() == m.to_json());
}

TEST_CASE("64-bit hashes are hex strings in the manifest's JSON") {
    const auto j = nlohmann::json::parse(sample().to_json());
    CHECK(j["blueprint"]["layout"] == "ffffffffffffffff");
    CHECK(j["files"][0]["checksum"] == "8000000000000001");
    CHECK(j["format_version"] == 1);
}

TEST_CASE("a missing or mistyped manifest field is named with its path") {
    auto j = nlohmann::json::parse(sample().to_json());
    j["blueprint"].erase("layout");
    CHECK(error_of(j.dump()) == "field 'blueprint.layout' is missing");

    j = nlohmann::json::parse(sample().to_json());
    j.erase("epoch");
    CHECK(error_of(j.dump()) == "field 'epoch' is missing");

    j = nlohmann::json::parse(sample().to_json());
    j["epoch"] = "seven";
    CHECK(error_of(j.dump()) == "field 'epoch' is not an unsigned integer");

    j = nlohmann::json::parse(sample().to_json());
    j["files"][1].erase("checksum");
    CHECK(error_of(j.dump()) == "field 'files[1].checksum' is missing");

    j = nlohmann::json::parse(sample().to_json());
    j["files"][0]["checksum"] = "xyz";
    CHECK(error_of(j.dump()) == "field 'files[0].checksum' is not 1 to 16 hex digits");

    j = nlohmann::json::parse(sample().to_json());
    j["files"][0]["name"] = "../escape.snap";
    CHECK(error_of(j.dump()) == "field 'files[0].name' is not a plain file name");

    j = nlohmann::json::parse(sample().to_json());
    j["format_version"] = 2;
    CHECK(error_of(j.dump()) == "format version 2, this factory-host reads 1");

    const std::string text = sample().to_json();
    CHECK(error_of(text.substr(0, text.size() / 2)) == "not JSON (cut short or damaged)");
    CHECK(error_of("[1, 2]") == "not a JSON object");
}
