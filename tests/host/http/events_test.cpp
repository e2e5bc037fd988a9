#include "http/events.hpp"
#include "http/status.hpp"

#include <catch2/catch.hpp>

using namespace factory;
using namespace factory::http;

namespace {

status sample(double at, const char* phase, std::uint32_t workshop_restarts, std::uint64_t retries,
              std::uint64_t export_dead, std::uint64_t refused) {
    status s;
    s.run_seconds = at;
    s.phase = phase;
    s.processes.push_back({"host", 1, true, 0, 0, 0});
    s.processes.push_back({"workshop 1", 2, true, 0, 0, workshop_restarts});
    ops::exporter_counts x;
    x.name = "sqlite";
    x.retries = retries;
    x.dead_lettered = export_dead;
    s.books.exporters.push_back(x);
    s.books.failed = refused;
    s.books.purchased = refused;
    return s;
}

} // namespace

TEST_CASE("events are the changes between samples, newest last", "[http]") {
    event_log log;
    log.observe(sample(0, "starting", 0, 0, 0, 0));
    CHECK(log.events().empty()); // the first sample is the baseline
    log.observe(sample(1, "running", 0, 0, 0, 0));
    log.observe(sample(2, "running", 1, 3, 0, 5));
    log.observe(sample(3, "running", 1, 3, 40, 5));
    log.observe(sample(4, "running", 1, 3, 40, 5)); // nothing changed
    REQUIRE(log.events().size() == 6);
    CHECK(log.events()[0].text == "the run is running");
    CHECK(log.events()[1].text == "workshop 1 restarted (restart 1)");
    CHECK(log.events()[1].run_seconds == 2);
    CHECK(log.events()[2].text == "exporter sqlite asked to retry 3 times");
    CHECK(log.events()[3].text == "5 new dead letters (5 in all)");
    CHECK(log.events()[4].text == "exporter sqlite: 40 products dead-lettered");
    CHECK(log.events()[5].text == "40 new dead letters (45 in all)"); // the products' letters count too
}

TEST_CASE("the log keeps the last events only", "[http]") {
    event_log log;
    log.observe(sample(0, "running", 0, 0, 0, 0));
    for (std::uint32_t i = 1; i <= event_log::keep + 10; ++i) log.observe(sample(i, "running", i, 0, 0, 0));
    REQUIRE(log.events().size() == event_log::keep);
    CHECK(log.events().back().text == "workshop 1 restarted (restart " + std::to_string(event_log::keep + 10) + ")");
}
