#include "http/listen_address.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>

using factory::http::listen_address;

TEST_CASE("the http address takes loopback addresses, v4 and v6, and localhost", "[http]") {
    auto a = listen_address::parse("127.0.0.1:9100", false);
    CHECK(a.address == "127.0.0.1");
    CHECK(a.port == 9100);
    CHECK(a.loopback);
    CHECK(a.to_string() == "127.0.0.1:9100");
    auto b = listen_address::parse("[::1]:0", false);
    CHECK(b.address == "::1");
    CHECK(b.port == 0);
    CHECK(b.to_string() == "[::1]:0");
    CHECK(listen_address::parse("localhost:80", false).address == "127.0.0.1");
    CHECK(listen_address::parse("127.3.4.5:1", false).loopback);
}

TEST_CASE("the http address refuses a public address unless allowed, and says how", "[http]") {
    try {
        (void)listen_address::parse("0.0.0.0:9100", false);
        FAIL("accepted 0.0.0.0 without --http-public");
    } catch (const std::invalid_argument& e) {
        const std::string what = e.what();
        CHECK(what.find("--http 0.0.0.0:9100 is not a loopback address") == 0);
        CHECK(what.find("add --http-public") != std::string::npos);
    }
    auto a = listen_address::parse("192.168.1.10:9100", true);
    CHECK_FALSE(a.loopback);
    CHECK(a.port == 9100);
}

TEST_CASE("the http address names what is wrong with a malformed address", "[http]") {
    CHECK_THROWS_WITH(listen_address::parse("9100", false), Catch::Contains("no port"));
    CHECK_THROWS_WITH(listen_address::parse("127.0.0.1:", false), Catch::Contains("the port is not a number"));
    CHECK_THROWS_WITH(listen_address::parse("127.0.0.1:65536", false), Catch::Contains("the port is not a number"));
    CHECK_THROWS_WITH(listen_address::parse("example.org:80", false), Catch::Contains("not a numeric IP address"));
    CHECK_THROWS_WITH(listen_address::parse("1.2.3:80", false), Catch::StartsWith("--http wants ADDR:PORT"));
}
