// settings.hpp: how a plugin reads the settings the host hands to on_open.
#include <factory/settings.hpp>

#include <catch2/catch.hpp>

namespace {

const char* const keys[] = {"name", "count", "delta", "ratio", "on", "window", "buffer", "bad"};
const char* const values[] = {"flows", "12", "-4", "0.75", "yes", "250ms", "2KiB", "xyz"};
const factory_settings raw{sizeof(factory_settings), 8, keys, values};

std::string message_of(void (*f)(const factory::settings&), const factory::settings& s) {
    try {
        f(s);
    } catch (const factory::error& e) {
        return e.what();
    }
    return {};
}

} // namespace

TEST_CASE("typed getters parse each value") {
    const factory::settings s(&raw);
    CHECK(s.has("name"));
    CHECK_FALSE(s.has("missing"));
    CHECK(s.text("name") == "flows");
    CHECK(s.string("name") == "flows");
    CHECK(s.uinteger("count") == 12);
    CHECK(s.integer("delta") == -4);
    CHECK(s.real("ratio") == 0.75);
    CHECK(s.boolean("on"));
    CHECK(s.duration_ns("window") == 250'000'000);
    CHECK(s.size_bytes("buffer") == 2048);
}

TEST_CASE("a key the host did not provide is a factory::error naming it") {
    const factory::settings s(&raw);
    CHECK(message_of([](const factory::settings& v) { (void)v.text("missing"); }, s) ==
          "setting 'missing' was not provided by the host");
}

TEST_CASE("a value of the wrong form is a factory::error naming the key, the form and the value") {
    const factory::settings s(&raw);
    CHECK(message_of([](const factory::settings& v) { (void)v.uinteger("bad"); }, s) ==
          "setting 'bad' wants a non-negative integer, got 'xyz'");
    CHECK(message_of([](const factory::settings& v) { (void)v.duration_ns("bad"); }, s) ==
          "setting 'bad' wants a duration, got 'xyz'");
}

TEST_CASE("no settings at all: nothing is there") {
    const factory::settings none(nullptr);
    CHECK_FALSE(none.has("name"));
    const factory_settings empty{sizeof(factory_settings), 0, nullptr, nullptr};
    CHECK_FALSE(factory::settings(&empty).has("name"));
}
