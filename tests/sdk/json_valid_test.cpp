// factory/util/json.hpp on documents that are one JSON object: accepted, members visited as written,
// and every truncation refused without reading past the end.
#include <factory/util/json.hpp>

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

namespace json = factory::json;

namespace {

const std::vector<std::string> valid_documents = {
    "{}",
    " \t\r\n{ \t\r\n} \t\r\n",
    R"({"a":1})",
    R"({"a" : 1 , "b":"two"})",
    R"({"":""})",
    R"({"n":0,"m":-0,"f":1.5,"e":1e5,"E":1E+5,"x":-1.25e-3,"z":0.0e0,"big":18446744073709551616})",
    R"({"t":true,"f":false,"n":null})",
    R"({"s":"\" \\ \/ \b \f \n \r \t \u0041 \u00e9 \uFFFF \ud83d\ude00"})",
    "{\"utf8\":\"\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xed\x9f\xbf \xee\x80\x80 \xf4\x8f\xbf\xbf\"}",
    "{\"del\":\"\x7f\"}",
    R"({"a":[],"o":{},"n":[1,[2,[3,{"k":[true,null]}]]],"d":{"e":{"f":"g"}}})",
    R"({"arr":[ 1 , "x" , { } , [ ] ]})",
    R"({"long string":"0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz"})",
    R"({"dup":1,"dup":2})",
    R"({"k\u0065y":"v"})",
};

// A copy in a buffer of exactly its size, so that a sanitizer build catches any read past it.
json::status check_exact(const std::string& text) {
    auto buf = std::make_unique<char[]>(text.size() + (text.empty() ? 1 : 0));
    std::copy(text.begin(), text.end(), buf.get());
    return json::validate_object(std::string_view(buf.get(), text.size()));
}

struct seen_member {
    std::string key, value;
    json::kind kind;
};

std::vector<seen_member> members_of(const std::string& text, json::status* st = nullptr) {
    std::vector<seen_member> out;
    json::status s = json::read_object(text, [&](const json::member& m) {
        out.push_back({std::string(m.key), std::string(m.value), m.kind});
    });
    if (st != nullptr) *st = s;
    return out;
}

} // namespace

TEST_CASE("valid documents are accepted") {
    for (const auto& doc : valid_documents) {
        INFO(doc);
        auto st = check_exact(doc);
        CHECK(st.ok());
        CHECK(st.reason == nullptr);
    }
}

TEST_CASE("every truncation of a valid document is refused") {
    for (const auto& doc : valid_documents) {
        std::string trimmed = doc.substr(0, doc.find_last_of('}') + 1);
        for (std::size_t n = 0; n < trimmed.size(); ++n) {
            std::string cut = trimmed.substr(0, n);
            INFO("'" << cut << "'");
            auto st = check_exact(cut);
            CHECK_FALSE(st.ok());
            CHECK(st.offset <= cut.size());
        }
    }
}

TEST_CASE("top-level members are visited in order with their kind and raw text") {
    json::status st;
    auto m = members_of(R"( {"a" : 12.5e3, "b":"x\ny", "c":[1, {"d":2}] ,"e":{}, "f":true,"g":null} )", &st);
    REQUIRE(st.ok());
    REQUIRE(m.size() == 6);
    CHECK(m[0].key == "a");
    CHECK(m[0].kind == json::kind::number);
    CHECK(m[0].value == "12.5e3");
    CHECK(m[1].key == "b");
    CHECK(m[1].kind == json::kind::string);
    CHECK(m[1].value == "x\\ny"); // escapes as written, quotes off
    CHECK(m[2].kind == json::kind::array);
    CHECK(m[2].value == R"([1, {"d":2}])");
    CHECK(m[3].kind == json::kind::object);
    CHECK(m[3].value == "{}");
    CHECK(m[4].kind == json::kind::boolean);
    CHECK(m[4].value == "true");
    CHECK(m[5].kind == json::kind::null);
    CHECK(m[5].value == "null");
}

TEST_CASE("nested members are not visited, a nested object can be read again") {
    json::status st;
    auto m = members_of(R"({"outer":{"inner":1,"deep":{"x":2}}})", &st);
    REQUIRE(st.ok());
    REQUIRE(m.size() == 1);
    auto inner = members_of(m[0].value, &st);
    REQUIRE(st.ok());
    REQUIRE(inner.size() == 2);
    CHECK(inner[0].key == "inner");
    CHECK(inner[1].value == R"({"x":2})");
}

TEST_CASE("duplicate keys are all visited") {
    auto m = members_of(R"({"k":1,"k":2})");
    REQUIRE(m.size() == 2);
    CHECK(m[1].value == "2");
}

TEST_CASE("the depth limit counts the top-level object as 1") {
    auto nest = [](int arrays) {
        return "{\"a\":" + std::string(static_cast<std::size_t>(arrays), '[') +
               std::string(static_cast<std::size_t>(arrays), ']') + "}";
    };
    CHECK(json::validate_object(nest(63)).ok());
    auto st = json::validate_object(nest(64));
    CHECK_FALSE(st.ok());
    CHECK(std::string(st.reason) == "nested deeper than the depth limit");
    CHECK(st.offset == 5 + 63);
    CHECK(json::validate_object(nest(64), 65).ok());
    CHECK_FALSE(json::validate_object(R"({"a":{}})", 1).ok());
    CHECK(json::validate_object(R"({"a":1})", 1).ok());
    // Far deeper than any limit: refused, without recursion.
    CHECK_FALSE(json::validate_object(nest(100000), 100000).ok());
}
