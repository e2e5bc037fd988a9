// The sessions example's blueprint (examples/blueprint_sessions) through its C hooks, as
// factory-host calls them: settings, materials of every format, max_materials, the inspector.
#include "blueprint_sessions/sessions.hpp"
#include "support/fake_workshop.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <map>
#include <string>

using factory::testing::fake_host;
using factory::testing::fake_settings;
using factory::testing::fake_workshop;
using namespace example::sessions;

namespace {

const factory_descriptor* descriptor() {
    return factory::detail::blueprint_descriptor<session_blueprint>();
}

factory_flow4 flow(std::uint32_t bytes) {
    factory_flow4 f{};
    f.protocol = 6;
    f.bytes = bytes;
    return f;
}

std::string reason_text(const session_product& p) {
    std::string s(p.end_reason, sizeof p.end_reason);
    return s.substr(0, s.find('\0'));
}

// One pid's worker driven through every hook, the inspector's visits included (fake_workshop
// makes none).
class single_worker {
public:
    explicit single_worker(const fake_settings::overrides& s) : settings_(descriptor(), s) {
        host.expect_pclasses(descriptor()->pclasses, descriptor()->pclass_count);
        factory_error err{};
        REQUIRE(descriptor()->blueprint->on_open(host.raw(), settings_.raw(), &instance_, &err) == FACTORY_OK);
        raw_.pid = 77;
        raw_.state = state_;
    }
    ~single_worker() { descriptor()->blueprint->on_close(instance_); }

    int feed(std::int64_t time_ns, std::uint32_t bytes) {
        struct { factory_material header; factory_flow4 payload; } m{};
        m.header.pid = raw_.pid;
        m.header.time_ns = time_ns;
        m.header.size = sizeof m.payload;
        m.header.format = FACTORY_FORMAT_FLOW4;
        m.payload = flow(bytes);
        factory_error err{};
        if (!hired_) {
            REQUIRE(descriptor()->blueprint->on_hire(instance_, &raw_, &m.header, &err) == FACTORY_OK);
            hired_ = true;
        }
        return descriptor()->blueprint->on_material(instance_, &raw_, &m.header, &err);
    }
    int inspect(std::int64_t now_ns) {
        factory_error err{};
        return descriptor()->blueprint->on_inspect(instance_, &raw_, now_ns, &err);
    }
    void fire(std::uint32_t reason) { descriptor()->blueprint->on_fire(instance_, &raw_, reason, 0); }

    fake_host host;

private:
    fake_settings settings_;
    void* instance_ = nullptr;
    alignas(16) unsigned char state_[sizeof(session_state)] = {};
    factory_worker raw_{};
    bool hired_ = false;
};

} // namespace

TEST_CASE("the descriptor: name, settings with defaults, two product classes and an inspector") {
    const factory_descriptor* d = descriptor();
    REQUIRE(d != nullptr);
    CHECK(std::string(d->name) == "sessions");
    REQUIRE(d->pclass_count == 2);
    CHECK(std::string(d->pclasses[pclass_session].name) == "session");
    CHECK(std::string(d->pclasses[pclass_progress].name) == "progress");
    CHECK(d->state_size == sizeof(session_state));
    CHECK(d->blueprint->on_inspect != nullptr);
    std::map<std::string, std::string> defaults;
    for (std::uint32_t i = 0; i < d->setting_count; ++i) defaults[d->settings[i].key] = d->settings[i].default_value;
    CHECK(defaults == std::map<std::string, std::string>{{"progress", "changed"}, {"max_materials", "0"}, {"bytes_field", "bytes"}});
}

TEST_CASE("one session per pid, shipped when its worker is fired, with the fire reason") {
    fake_workshop w(descriptor());
    REQUIRE(w.feed_flow4(1, 1'000, flow(100)) == FACTORY_OK);
    REQUIRE(w.feed_flow4(2, 1'500, flow(7)) == FACTORY_OK);
    REQUIRE(w.feed_flow4(1, 3'000, flow(50)) == FACTORY_OK);
    CHECK(w.host.products.empty());
    w.fire(1, FACTORY_FIRED_IDLE);
    w.fire_all(FACTORY_FIRED_SHUTDOWN);
    CHECK(w.host.refused == 0);
    REQUIRE(w.host.products.size() == 2);
    std::map<std::uint64_t, session_product> by_pid;
    for (const auto& p : w.host.products) {
        CHECK(p.pclass == pclass_session);
        by_pid[p.pid] = p.as<session_product>();
    }
    CHECK(by_pid.at(1).materials == 2);
    CHECK(by_pid.at(1).bytes == 150);
    CHECK(by_pid.at(1).duration_ns == 2'000);
    CHECK(reason_text(by_pid.at(1)) == "idle");
    CHECK(by_pid.at(2).materials == 1);
    CHECK(reason_text(by_pid.at(2)) == "shutdown");
}

TEST_CASE("max_materials ends a session with reason done, and the next material starts a new one") {
    fake_workshop w(descriptor(), {{"max_materials", "3"}});
    CHECK(w.feed_flow4(5, 1, flow(1)) == FACTORY_OK);
    CHECK(w.feed_flow4(5, 2, flow(1)) == FACTORY_OK);
    CHECK(w.feed_flow4(5, 3, flow(1)) == FACTORY_DONE);
    CHECK(w.workers() == 0);
    CHECK(w.feed_flow4(5, 4, flow(1)) == FACTORY_OK);
    w.fire_all(FACTORY_FIRED_SHUTDOWN);
    REQUIRE(w.host.products.size() == 2);
    auto first = w.host.products[0].as<session_product>();
    auto second = w.host.products[1].as<session_product>();
    CHECK(first.materials == 3);
    CHECK(reason_text(first) == "done");
    CHECK(second.materials == 1);
    CHECK(second.start.value == 4);
    CHECK(reason_text(second) == "shutdown");
}

TEST_CASE("JSON materials: bytes from bytes_field, or the text's length when it is empty") {
    fake_workshop w(descriptor(), {{"bytes_field", "octets"}});
    REQUIRE(w.feed_json(1, 1, R"({"octets":40,"bytes":1})") == FACTORY_OK);
    CHECK(w.feed_json(2, 1, R"({"bytes":40})") == FACTORY_ERROR);
    CHECK_THAT(w.last_error, Catch::Contains("'octets'") && Catch::Contains("bytes_field"));
    CHECK(w.workers() == 1); // no session started from a material that cannot be counted
    CHECK(w.feed_json(1, 2, R"({"octets":"many"})") == FACTORY_ERROR);
    CHECK_THAT(w.last_error, Catch::Contains("string"));
    CHECK(w.feed_json(1, 2, R"({"octets":)") == FACTORY_ERROR);
    CHECK_THAT(w.last_error, Catch::Contains("invalid at byte"));

    fake_workshop by_length(descriptor(), {{"bytes_field", ""}});
    REQUIRE(by_length.feed_json(1, 1, R"({"a":1})") == FACTORY_OK);
    w.fire_all(FACTORY_FIRED_SHUTDOWN);
    by_length.fire_all(FACTORY_FIRED_SHUTDOWN);
    REQUIRE(w.host.products.size() == 1);
    CHECK(w.host.products[0].as<session_product>().bytes == 40);
    CHECK(w.host.products[0].as<session_product>().materials == 1);
    REQUIRE(by_length.host.products.size() == 1);
    CHECK(by_length.host.products[0].as<session_product>().bytes == 7);
}

TEST_CASE("PACKET counts the wire length, opaque bytes their size, a short FLOW4 is refused") {
    fake_workshop w(descriptor());
    factory_packet pkt{};
    pkt.wire_length = 1514;
    REQUIRE(w.feed(1, 1, FACTORY_FORMAT_PACKET, &pkt, sizeof pkt) == FACTORY_OK);
    const char blob[5] = {1, 2, 3, 4, 5};
    REQUIRE(w.feed(2, 1, FACTORY_FORMAT_BYTES, blob, sizeof blob) == FACTORY_OK);
    CHECK(w.feed(3, 1, FACTORY_FORMAT_FLOW4, blob, sizeof blob) == FACTORY_ERROR);
    CHECK_THAT(w.last_error, Catch::Contains("FLOW4") && Catch::Contains("too short"));
    w.fire_all(FACTORY_FIRED_SHUTDOWN);
    std::map<std::uint64_t, std::uint64_t> bytes;
    for (const auto& p : w.host.products) bytes[p.pid] = p.as<session_product>().bytes;
    CHECK(bytes == std::map<std::uint64_t, std::uint64_t>{{1, 1514}, {2, 5}});
}

TEST_CASE("the inspector ships running totals and the summary counts the reports") {
    single_worker w(fake_settings::overrides{{"progress", "changed"}});
    REQUIRE(w.feed(1'000, 10) == FACTORY_OK);
    REQUIRE(w.feed(2'000, 20) == FACTORY_OK);
    CHECK(w.inspect(10'000) == FACTORY_OK);
    CHECK(w.inspect(20'000) == FACTORY_OK); // nothing new: no report
    REQUIRE(w.feed(3'000, 5) == FACTORY_OK);
    CHECK(w.inspect(30'000) == FACTORY_OK);
    w.fire(FACTORY_FIRED_IDLE);
    CHECK(w.host.refused == 0);
    REQUIRE(w.host.products.size() == 3);
    REQUIRE(w.host.products[0].pclass == pclass_progress);
    REQUIRE(w.host.products[1].pclass == pclass_progress);
    auto first = w.host.products[0].as<progress_product>();
    auto second = w.host.products[1].as<progress_product>();
    CHECK(first.at.value == 10'000);
    CHECK(first.materials == 2);
    CHECK(first.bytes == 30);
    CHECK(second.at.value == 30'000);
    CHECK(second.materials == 3);
    CHECK(second.new_bytes == 5);
    CHECK(second.report == 2);
    REQUIRE(w.host.products[2].pclass == pclass_session);
    CHECK(w.host.products[2].as<session_product>().reports == 2);
}

TEST_CASE("progress=off: the inspector ships nothing") {
    single_worker w(fake_settings::overrides{{"progress", "off"}});
    REQUIRE(w.feed(1'000, 10) == FACTORY_OK);
    CHECK(w.inspect(10'000) == FACTORY_OK);
    w.fire(FACTORY_FIRED_SHUTDOWN);
    REQUIRE(w.host.products.size() == 1);
    CHECK(w.host.products[0].pclass == pclass_session);
}
