// The driver's rounds: what each exporter is handed, its answers honoured (retry with a doubling
// backoff on the test's clock, error, flush), and the counts and dead letters that follow.
#include "transportation/driver.hpp"

#include "support/sample_products.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <deque>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

using namespace factory;
using namespace factory::transportation;
using factory::testing::temp_dir;

namespace {

// An exporter that answers from a script (FACTORY_OK once the script runs out) and records what
// it was handed.
struct scripted_exporter {
    std::deque<int> export_answers;
    std::deque<int> flush_answers;
    std::string message = "collector down";
    std::vector<std::pair<std::uint32_t, std::uint32_t>> batches; // (pclass, count) per call
    std::vector<std::uint64_t> pids;                              // of the batches answered OK
    int flushes = 0;
    bool closed = false;

    static int answer(std::deque<int>& script) {
        if (script.empty()) return FACTORY_OK;
        int rc = script.front();
        script.pop_front();
        return rc;
    }
    static int on_export(void* self, const factory_batch* b, factory_error* err) {
        auto& me = *static_cast<scripted_exporter*>(self);
        me.batches.emplace_back(b->pclass, b->count);
        int rc = answer(me.export_answers);
        if (rc == FACTORY_OK)
            for (std::uint32_t i = 0; i < b->count; ++i) me.pids.push_back(b->products[i]->pid);
        else
            std::strncpy(err->message, me.message.c_str(), sizeof err->message - 1);
        return rc;
    }
    static int on_flush(void* self, factory_error* err) {
        auto& me = *static_cast<scripted_exporter*>(self);
        ++me.flushes;
        int rc = answer(me.flush_answers);
        if (rc != FACTORY_OK) std::strncpy(err->message, "disk full", sizeof err->message - 1);
        return rc;
    }
    static void on_close(void* self) { static_cast<scripted_exporter*>(self)->closed = true; }
};

const factory_exporter_hooks scripted_hooks{sizeof(factory_exporter_hooks), 0, nullptr, &scripted_exporter::on_export,
                                            &scripted_exporter::on_flush, &scripted_exporter::on_close};

// The backoff's clock: every wait is recorded and passes at once; `abort_at` makes the nth wait
// (from 1) report an aborted run.
struct test_clock {
    std::int64_t now_ns = 0;
    std::vector<std::int64_t> waits;
    std::size_t abort_at = 0;

    backoff_wait wait() {
        return [this](std::int64_t ns) {
            waits.push_back(ns);
            now_ns += ns;
            return waits.size() == abort_at;
        };
    }
};

constexpr std::int64_t ms = 1'000'000;

// One transportation process's worth of driver, with `n` exporters named fake1, fake2, ...
struct rig {
    explicit rig(std::size_t n, delivery_policy policy = {3, 20 * ms})
        : pclasses(testing::sample_pclasses()), info{static_cast<std::uint32_t>(pclasses.size()), 0, pclasses.data()},
          store(info.pclass_count), dead(dir.path() / "dead", "transportation"), fakes(n) {
        for (std::size_t i = 0; i < n; ++i)
            exporters.push_back(std::make_unique<exporter_instance>("fake" + std::to_string(i + 1), &scripted_hooks,
                                                                     &fakes[i]));
        truck = std::make_unique<driver>(stats, exporters, info, store, dead, policy, abort, clock.wait());
    }

    void store_flows(std::uint64_t first_pid, std::size_t count) {
        for (std::size_t i = 0; i < count; ++i) store_one(0, testing::make_flow(first_pid + i, 100 * i));
    }
    void store_alerts(std::uint64_t first_pid, std::size_t count) {
        for (std::size_t i = 0; i < count; ++i) store_one(1, testing::make_alert(first_pid + i, 2, "hot"));
    }
    template <class Record>
    void store_one(std::uint32_t pclass, const Record& r) {
        std::uint64_t words[(sizeof(factory_product) + sizeof(Record) + 7) / 8] = {};
        auto* p = reinterpret_cast<factory_product*>(words);
        p->pid = r.pid;
        p->pclass = pclass;
        p->size = sizeof(Record);
        std::memcpy(p + 1, &r, sizeof(Record));
        store.store(*p);
    }

    std::vector<nlohmann::json> letters() const {
        std::vector<nlohmann::json> out;
        std::ifstream in(dead.file());
        for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
        return out;
    }

    temp_dir dir;
    std::vector<factory_pclass> pclasses;
    factory_export_info info;
    std::unique_ptr<shm::transport_stats> stats_block = std::make_unique<shm::transport_stats>();
    shm::transport_stats& stats = *stats_block;
    warehouse store;
    dead_letter_writer dead;
    std::atomic<std::uint32_t> abort{0};
    test_clock clock;
    std::deque<scripted_exporter> fakes;
    std::vector<std::unique_ptr<exporter_instance>> exporters;
    std::unique_ptr<driver> truck;
};

} // namespace

TEST_CASE("a round hands every bay to every exporter, flushes, counts and empties the warehouse", "[driver]") {
    rig r(2);
    r.store_flows(1, 3);
    r.store_alerts(10, 2);
    r.truck->round();
    for (auto& fake : r.fakes) {
        REQUIRE(fake.batches.size() == 2);
        CHECK(fake.batches[0] == std::pair<std::uint32_t, std::uint32_t>{0, 3});
        CHECK(fake.batches[1] == std::pair<std::uint32_t, std::uint32_t>{1, 2});
        CHECK(fake.pids == std::vector<std::uint64_t>{1, 2, 3, 10, 11});
        CHECK(fake.flushes == 1);
    }
    for (std::size_t e = 0; e < 2; ++e) {
        CHECK(r.stats.exporters[e].exported.get() == 5);
        CHECK(r.stats.exporters[e].batches.get() == 2);
        CHECK(r.stats.exporters[e].retries.get() == 0);
        CHECK(r.stats.exporters[e].dead_lettered.get() == 0);
    }
    CHECK(r.stats.deliveries.get() == 1);
    CHECK(r.store.products() == 0);
    CHECK(r.stats.warehouse.get() == 0);
    CHECK(r.clock.waits.empty());
    CHECK(r.truck->clean());
    CHECK(r.dead.written() == 0);

    // An empty warehouse: a round still flushes, and hands over nothing.
    r.truck->round();
    CHECK(r.fakes[0].batches.size() == 2);
    CHECK(r.fakes[0].flushes == 2);
    CHECK(r.stats.deliveries.get() == 2);
}

TEST_CASE("retry: tried again after a doubling backoff, counted once taken", "[driver]") {
    rig r(1, {3, 20 * ms});
    r.fakes[0].export_answers = {FACTORY_RETRY, FACTORY_RETRY};
    r.store_flows(1, 4);
    r.truck->round();
    // The e2e run prints these as "retry 1 of 3 in 20 ms", "retry 2 of 3 in 40 ms".
    CHECK(r.clock.waits == std::vector<std::int64_t>{20 * ms, 40 * ms});
    CHECK(r.stats.exporters[0].retries.get() == 2);
    CHECK(r.stats.exporters[0].batches.get() == 3);
    CHECK(r.stats.exporters[0].exported.get() == 4);
    CHECK(r.stats.exporters[0].dead_lettered.get() == 0);
    CHECK(r.fakes[0].pids == std::vector<std::uint64_t>{1, 2, 3, 4});
    CHECK(r.truck->clean());
}

TEST_CASE("retries exhausted: the batch goes to the dead-letter output with the exporter's reason", "[driver]") {
    rig r(1, {3, 20 * ms});
    r.fakes[0].export_answers = {FACTORY_RETRY, FACTORY_RETRY, FACTORY_RETRY, FACTORY_RETRY};
    r.store_flows(1, 2);
    r.truck->round();
    CHECK(r.clock.waits == std::vector<std::int64_t>{20 * ms, 40 * ms, 80 * ms});
    CHECK(r.stats.exporters[0].retries.get() == 3);
    CHECK(r.stats.exporters[0].batches.get() == 4);
    CHECK(r.stats.exporters[0].exported.get() == 0);
    CHECK(r.stats.exporters[0].dead_lettered.get() == 2);
    CHECK_FALSE(r.truck->clean());
    auto letters = r.letters();
    REQUIRE(letters.size() == 2);
    CHECK(letters[0].at("reason") == "exporter fake1: still failing after 3 retries: collector down");
    CHECK(letters[0].at("exporter") == "fake1");
    CHECK(letters[0].at("pclass") == "flows");
    CHECK(letters[0].at("pid") == 1);
    CHECK(letters[1].at("pid") == 2);
    // The next round starts from the policy's backoff again.
    r.clock.waits.clear();
    r.fakes[0].export_answers = {FACTORY_RETRY};
    r.store_flows(5, 1);
    r.truck->round();
    CHECK(r.clock.waits == std::vector<std::int64_t>{20 * ms});
    CHECK(r.stats.exporters[0].exported.get() == 1);
}

TEST_CASE("the backoff doubles up to 30 s and no further", "[driver]") {
    rig r(1, {6, 5'000 * ms});
    r.fakes[0].export_answers = {FACTORY_RETRY, FACTORY_RETRY, FACTORY_RETRY, FACTORY_RETRY, FACTORY_RETRY,
                                 FACTORY_RETRY};
    r.store_alerts(1, 1);
    r.truck->round();
    CHECK(r.clock.waits == std::vector<std::int64_t>{5'000 * ms, 10'000 * ms, 20'000 * ms, 30'000 * ms, 30'000 * ms,
                                                     30'000 * ms});
    CHECK(r.stats.exporters[0].exported.get() == 1);
}

TEST_CASE("error: no retry, the batch dead-lettered, and the other exporter still takes it", "[driver]") {
    rig r(2);
    r.fakes[0].export_answers = {FACTORY_ERROR};
    r.fakes[0].message = "schema mismatch";
    r.store_flows(1, 3);
    r.store_alerts(7, 1);
    r.truck->round();
    CHECK(r.clock.waits.empty());
    CHECK(r.stats.exporters[0].dead_lettered.get() == 3);
    CHECK(r.stats.exporters[0].exported.get() == 1); // the alerts, a batch of their own
    CHECK(r.stats.exporters[1].exported.get() == 4);
    CHECK(r.stats.exporters[1].dead_lettered.get() == 0);
    CHECK_FALSE(r.truck->clean());
    auto letters = r.letters();
    REQUIRE(letters.size() == 3);
    CHECK(letters[0].at("reason") == "exporter fake1: schema mismatch");
}

TEST_CASE("an exporter that gives no reason is said to have given none", "[driver]") {
    rig r(1);
    r.fakes[0].export_answers = {FACTORY_ERROR};
    r.fakes[0].message = "";
    r.store_flows(1, 1);
    r.truck->round();
    auto letters = r.letters();
    REQUIRE(letters.size() == 1);
    CHECK(letters[0].at("reason") == "exporter fake1: no reason given");
}

TEST_CASE("a run aborted during a backoff gives up on the batch", "[driver]") {
    rig r(1, {5, 20 * ms});
    r.fakes[0].export_answers = {FACTORY_RETRY, FACTORY_RETRY, FACTORY_RETRY};
    r.clock.abort_at = 2;
    r.store_flows(1, 2);
    r.truck->round();
    CHECK(r.clock.waits.size() == 2);
    CHECK(r.stats.exporters[0].retries.get() == 2);
    CHECK(r.stats.exporters[0].dead_lettered.get() == 2);
    auto letters = r.letters();
    REQUIRE(letters.size() == 2);
    CHECK(letters[0].at("reason") == "exporter fake1: run aborted while retrying: collector down");
}

TEST_CASE("the default backoff does not sleep once the run is aborted", "[driver]") {
    // A backoff of an hour: the test would hang (and time out) if the default wait slept it.
    rig r(1);
    r.abort = 1;
    driver truck(r.stats, r.exporters, r.info, r.store, r.dead, delivery_policy{3, 3'600'000 * ms}, r.abort);
    r.fakes[0].export_answers = {FACTORY_RETRY};
    r.store_flows(1, 1);
    truck.round();
    CHECK(r.stats.exporters[0].dead_lettered.get() == 1);
    CHECK(r.letters().at(0).at("reason") == "exporter fake1: run aborted while retrying: collector down");
}

TEST_CASE("flush: products count as exported only once flushed, and a failed flush dead-letters them", "[driver]") {
    SECTION("a flush that asks for a retry, then succeeds") {
        rig r(1);
        r.fakes[0].flush_answers = {FACTORY_RETRY};
        r.store_flows(1, 2);
        r.truck->round();
        CHECK(r.fakes[0].flushes == 2);
        CHECK(r.clock.waits == std::vector<std::int64_t>{20 * ms});
        CHECK(r.stats.exporters[0].exported.get() == 2);
        CHECK(r.stats.exporters[0].flush_failures.get() == 0);
        CHECK(r.truck->clean());
    }
    SECTION("a flush that fails") {
        rig r(1);
        r.fakes[0].flush_answers = {FACTORY_ERROR};
        r.store_flows(1, 2);
        r.store_alerts(5, 1);
        r.truck->round();
        CHECK(r.stats.exporters[0].exported.get() == 0);
        CHECK(r.stats.exporters[0].flush_failures.get() == 1);
        CHECK(r.stats.exporters[0].dead_lettered.get() == 3);
        CHECK_FALSE(r.truck->clean());
        auto letters = r.letters();
        REQUIRE(letters.size() == 3);
        CHECK(letters[0].at("reason") == "exporter fake1: disk full (at flush)");
        CHECK(letters[2].at("pclass") == "alerts");
    }
}
