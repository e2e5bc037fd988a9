#include "blueprint_sessionize/page_sketch.hpp"
#include "blueprint_sessionize/sessionize.hpp"
#include "support/fake_workshop.hpp"
#include "support/host_run.hpp"
#include "support/load_plugin.hpp"

#include <catch2/catch.hpp>

#include <factory/util/render.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <set>
#include <string>
#include <tuple>
#include <vector>

using factory::sessionize::page_sketch;
using factory::sessionize::session_product;
using factory::testing::fake_workshop;

namespace {

const factory_descriptor* descriptor() {
    return factory::detail::blueprint_descriptor<factory::sessionize::sessionize>();
}

std::string click(const std::string& page) { return R"({"user":7,"page":")" + page + R"(","ref":"ad"})"; }

// The documented sketch, written out again: bit = top byte of FNV-1a 64(page) * 0x9e3779b97f4a7c15,
// then linear counting.
std::uint32_t pages_estimate(const std::set<std::string>& pages) {
    std::set<unsigned> bits;
    for (const auto& p : pages) {
        std::uint64_t h = 14695981039346656037ULL;
        for (unsigned char c : p) h = (h ^ c) * 1099511628211ULL;
        bits.insert(static_cast<unsigned>((h * 0x9e3779b97f4a7c15ULL) >> 56));
    }
    if (bits.empty()) return 0;
    if (bits.size() == 256) return 1420;
    return static_cast<std::uint32_t>(std::lround(256.0 * std::log(256.0 / (256.0 - bits.size()))));
}

} // namespace

TEST_CASE("sessionize: one product per session with its first and last click, clicks and pages") {
    fake_workshop w(descriptor());
    REQUIRE(w.feed_json(7, 1'000, click("/a")) == FACTORY_OK);
    REQUIRE(w.feed_json(7, 5'000, click("/b")) == FACTORY_OK);
    REQUIRE(w.feed_json(7, 3'000, click("/a")) == FACTORY_OK); // late, and a page seen before
    REQUIRE(w.feed_json(8, 2'000, R"({"page":"/x\u00e9"})") == FACTORY_OK);
    CHECK(w.host.products.empty());
    w.fire(7, FACTORY_FIRED_IDLE);
    w.fire_all(FACTORY_FIRED_SHUTDOWN);
    REQUIRE(w.host.products.size() == 2);
    const auto a = w.host.products[0].as<session_product>();
    CHECK(a.pid == 7);
    CHECK(a.start_ns == 1'000);
    CHECK(a.end_ns == 5'000);
    CHECK(a.clicks == 3);
    CHECK(a.pages == pages_estimate({"/a", "/b"}));
    CHECK(a.end_reason == FACTORY_FIRED_IDLE);
    const auto b = w.host.products[1].as<session_product>();
    CHECK(b.pid == 8);
    CHECK(b.clicks == 1);
    CHECK(b.pages == 1);
    CHECK(b.start_ns == 2'000);
    CHECK(b.end_ns == 2'000);
    CHECK(b.end_reason == FACTORY_FIRED_SHUTDOWN);
}

TEST_CASE("sessionize: a user's next click after a fire starts a new session") {
    fake_workshop w(descriptor());
    REQUIRE(w.feed_json(1, 10, click("/a")) == FACTORY_OK);
    w.fire(1, FACTORY_FIRED_IDLE);
    REQUIRE(w.feed_json(1, 99, click("/b")) == FACTORY_OK);
    w.fire_all(FACTORY_FIRED_SHUTDOWN);
    REQUIRE(w.host.products.size() == 2);
    CHECK(w.host.products[1].as<session_product>().start_ns == 99);
    CHECK(w.host.products[1].as<session_product>().clicks == 1);
}

TEST_CASE("sessionize: materials without a page string are refused with the reason") {
    fake_workshop w(descriptor());
    CHECK(w.feed_json(1, 0, R"({"user":1})") == FACTORY_ERROR);
    CHECK(w.last_error == "page field 'page': missing");
    CHECK(w.feed_json(1, 0, R"({"page":3})") == FACTORY_ERROR);
    CHECK(w.last_error == "page field 'page': not a string");
    CHECK(w.feed_json(1, 0, R"(["page"])") == FACTORY_ERROR);
    CHECK(w.last_error == "page field 'page': invalid JSON");
    CHECK(w.feed_json(1, 0, R"({"page":"/a\q"})") == FACTORY_ERROR);
    CHECK(w.last_error == "page field 'page': invalid JSON");
    CHECK(w.feed(1, 0, FACTORY_FORMAT_BYTES, "xyz", 3) == FACTORY_ERROR);
    CHECK(w.last_error == "not a JSON material (format 0)");
    CHECK(w.workers() == 0); // a refused first material leaves no worker
    w.fire_all(FACTORY_FIRED_SHUTDOWN);
    CHECK(w.host.products.empty());
}

TEST_CASE("sessionize: the page field is a setting") {
    fake_workshop w(descriptor(), {{"page", "url"}});
    REQUIRE(w.feed_json(3, 0, R"({"page":1,"url":"/a"})") == FACTORY_OK);
    CHECK(w.feed_json(3, 0, R"({"page":"/a"})") == FACTORY_ERROR);
    CHECK(w.last_error == "page field 'url': missing");
    CHECK_THROWS_WITH(fake_workshop(descriptor(), {{"page", ""}}), Catch::Contains("setting 'page' is empty"));
}

TEST_CASE("page_sketch: exact while pages do not share a bit, close beyond") {
    page_sketch s{};
    CHECK(s.estimate() == 0);
    s.add("/a");
    s.add("/a");
    CHECK(s.estimate() == 1);
    std::set<std::string> pages;
    page_sketch many{};
    for (int i = 0; i < 300; ++i) {
        pages.insert("/product/" + std::to_string(i));
        many.add("/product/" + std::to_string(i));
    }
    CHECK(many.estimate() == pages_estimate(pages));
    CHECK(many.estimate() > 240); // linear counting at 300 pages: a standard error near 5%
    CHECK(many.estimate() < 360);
    page_sketch full{};
    for (auto& word : full.bits) word = ~std::uint64_t{0};
    CHECK(full.estimate() == 1420);
}

TEST_CASE("libsessionize.so describes itself: one pclass, a page setting, no inspector") {
    const factory_descriptor* d = factory::testing::load_plugin(FACTORY_TEST_PLUGIN);
    CHECK(std::string(d->name) == "sessionize");
    CHECK(d->kind == FACTORY_KIND_BLUEPRINT);
    REQUIRE(d->pclass_count == 1);
    CHECK(std::string(d->pclasses[0].name) == "sessions");
    CHECK(d->pclasses[0].record_size == sizeof(session_product));
    CHECK(d->pclasses[0].field_count == 6);
    REQUIRE(d->setting_count == 1);
    CHECK(std::string(d->settings[0].key) == "page");
    CHECK(d->blueprint->on_inspect == nullptr);
}

TEST_CASE("sessionize through factory-host: the sessions of a click file, on two workshops", "[e2e]") {
    using namespace factory::testing;
    auto dir = fresh_dir("sessionize");
    // 12 users; each one's clicks are 1-9 minutes apart, except every third or so gap, which is
    // 40-90 minutes: a 30-minute contract on the material clock ends a session there.
    struct event {
        std::int64_t ts_ms;
        std::uint64_t user;
        std::string page;
    };
    std::vector<event> events;
    const std::int64_t t0 = 1'700'000'000'000;
    for (std::uint64_t user = 1; user <= 12; ++user) {
        std::int64_t t = t0 + static_cast<std::int64_t>(user) * 7'000;
        for (int k = 0; k < 20; ++k) {
            events.push_back({t, user, "/p/" + std::to_string((user + k * k) % 6)});
            const bool long_gap = (user * 7 + k * 13) % 10 < 3;
            t += (long_gap ? 40 + (k * 11 + user) % 50 : 1 + (k + user) % 9) * 60'000;
        }
    }
    std::sort(events.begin(), events.end(), [](const event& a, const event& b) { return a.ts_ms < b.ts_ms; });
    {
        std::ofstream in(dir / "clicks.jsonl");
        for (const auto& e : events)
            in << R"({"user":)" << e.user << R"(,"ts":)" << e.ts_ms << R"(,"page":")" << e.page << "\"}\n";
    }
    // The sessions, computed here: split a user's clicks where the gap is 30 minutes or more.
    using session = std::tuple<std::uint64_t, std::int64_t, std::int64_t, std::uint64_t, std::uint32_t>;
    std::multiset<session> want;
    for (std::uint64_t user = 1; user <= 12; ++user) {
        std::int64_t start = -1, last = -1;
        std::uint64_t clicks = 0;
        std::set<std::string> pages;
        auto close = [&] {
            if (clicks > 0) want.insert({user, start * 1'000'000, last * 1'000'000, clicks, pages_estimate(pages)});
        };
        for (const auto& e : events) {
            if (e.user != user) continue;
            if (clicks > 0 && e.ts_ms - last >= 30 * 60'000) {
                close();
                clicks = 0;
                pages.clear();
            }
            if (clicks == 0) start = e.ts_ms;
            last = e.ts_ms;
            ++clicks;
            pages.insert(e.page);
        }
        close();
    }
    REQUIRE(want.size() > 24); // the data has sessions ending mid-file, not only at the end

    auto r = run_host({"--source", "jsonl:file=clicks.jsonl,key=user,time=ts,time_unit=ms", "--blueprint",
                       "sessionize", "--exporter", "jsonl:dir=out", "--workshops", "2", "--contract", "30m",
                       "--inspect", "0"},
                      {.timeout = std::chrono::seconds(60), .cwd = dir});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE(r.summary.at("balanced") == true);
    CHECK(r.summary.at("assembled") == events.size());
    std::multiset<session> got;
    int idle = 0;
    for (const auto& j : read_jsonl(dir / "out" / "sessions.jsonl")) {
        got.insert({j.at("pid").get<std::uint64_t>(), j.at("start_ns").get<std::int64_t>(),
                    j.at("end_ns").get<std::int64_t>(), j.at("clicks").get<std::uint64_t>(),
                    j.at("pages").get<std::uint32_t>()});
        if (j.at("end_reason") == FACTORY_FIRED_IDLE) ++idle;
    }
    CHECK(got == want);
    CHECK(idle >= static_cast<int>(want.size()) - 12); // all but each user's last end idle
    std::filesystem::remove_all(dir);
}

TEST_CASE("sessionize: a typed record's page is read as the raw JSON's, an empty one is refused") {
    using factory::sessionize::click_record;
    fake_workshop w(descriptor());
    click_record c{};
    std::memcpy(c.page, "/a", 2);
    REQUIRE(w.feed(7, 1'000, FACTORY_FORMAT_RECORD, &c, sizeof c) == FACTORY_OK);
    REQUIRE(w.feed_json(7, 2'000, click("/b")) == FACTORY_OK); // raw materials still read
    std::memset(c.page, 'x', sizeof c.page);                     // a page that fills the field
    REQUIRE(w.feed(7, 3'000, FACTORY_FORMAT_RECORD, &c, sizeof c) == FACTORY_OK);
    click_record empty{};
    CHECK(w.feed(7, 4'000, FACTORY_FORMAT_RECORD, &empty, sizeof empty) == FACTORY_ERROR);
    CHECK(w.last_error == "page field 'page' of the typed record: missing or empty (the jsonl source reads member "
                          "'page'; rename=page=MEMBER reads another)");
    w.fire_all(FACTORY_FIRED_SHUTDOWN);
    REQUIRE(w.host.products.size() == 1);
    const auto p = w.host.products[0].as<session_product>();
    CHECK(p.clicks == 3);
    CHECK(p.pages == pages_estimate({"/a", "/b", std::string(64, 'x')}));
    const factory_descriptor* d = descriptor();
    REQUIRE(d->material_layout != nullptr);
    CHECK(d->material_layout->record_size == 64);
    CHECK(d->material_flags == FACTORY_MATERIAL_TAKES_RAW);
}

TEST_CASE("sessionize through factory-host: typed and raw materials give the same sessions, byte for byte",
          "[e2e]") {
    using namespace factory::testing;
    auto dir = fresh_dir("sessionize_typed");
    {
        // 40 users, 2,000 clicks a minute apart in turn, pages with escapes among them; a user's
        // gap is 40 minutes, so 30-minute contracts end sessions along the way.
        std::ofstream in(dir / "clicks.jsonl");
        for (int i = 0; i < 2000; ++i)
            in << R"({"user":)" << (i * 7) % 40 << R"(,"ts":)" << 1'700'000'000'000 + i * 60'000LL << R"(,"ref":"x","page":"/p/)"
               << (i % 13 == 0 ? "\\u00e9" : "") << (i * 31) % 17 << "\"}\n";
    }
    auto run = [&](const std::string& out, const std::string& extra) {
        auto r = run_host({"--source", "jsonl:file=clicks.jsonl,key=user,time=ts,time_unit=ms" + extra, "--blueprint",
                           "sessionize", "--exporter", "jsonl:dir=" + out, "--workshops", "2", "--contract", "30m",
                           "--inspect", "0"},
                          {.timeout = std::chrono::seconds(60), .cwd = dir});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        REQUIRE(r.summary.at("balanced") == true);
        CHECK(r.summary.at("assembled") == 2000);
        std::ifstream f(dir / out / "sessions.jsonl");
        std::vector<std::string> lines;
        for (std::string line; std::getline(f, line);) lines.push_back(line);
        std::sort(lines.begin(), lines.end());
        return lines;
    };
    const auto typed = run("typed", "");
    const auto raw = run("raw", ",typed=false");
    CHECK(typed.size() > 40); // sessions end mid-file too
    CHECK(typed == raw);

    // The typed run decoded in purchasing: a page longer than the record's 64 bytes is the source's
    // dead letter there, and the blueprint's raw path would have taken it.
    {
        std::ofstream in(dir / "long.jsonl");
        in << R"({"user":1,"ts":1700000000000,"page":"/a"})" << "\n"
           << R"({"user":1,"ts":1700000001000,"page":")" << std::string(80, 'p') << "\"}\n";
    }
    auto r = run_host({"--source", "jsonl:file=long.jsonl,key=user,time=ts,time_unit=ms", "--blueprint", "sessionize",
                       "--exporter", "jsonl:dir=long", "--workshops", "2"},
                      {.timeout = std::chrono::seconds(60), .cwd = dir});
    INFO(r.err);
    REQUIRE(r.summary.is_object());
    CHECK(r.summary.at("balanced") == true);
    CHECK(r.summary.at("assembled") == 1);
    std::vector<std::string> reasons;
    for (const auto& j : read_jsonl(dir / "factory-dead-letter" / "purchasing.jsonl"))
        reasons.push_back(j.at("reason").get<std::string>());
    CHECK(reasons == std::vector<std::string>{"line 2: field 'page': a string of 80 bytes is longer than the field's 64"});
    std::filesystem::remove_all(dir);
}
