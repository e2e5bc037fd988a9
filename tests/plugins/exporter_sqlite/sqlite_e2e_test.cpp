// The sqlite exporter in a real run of factory-host: next to the jsonl exporter, the rows the
// sqlite3 command-line tool reads back are exactly the products jsonl writes; with transportation
// killed again and again, the rows in the database are exactly the products counted exported;
// a second run into the same file while the first writes it is refused.
#include "query.hpp"
#include "support/child_process.hpp"
#include "support/host_run.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>
#include <filesystem>
#include <map>
#include <sstream>
#include <tuple>

namespace {

// Rows in every table of the database but factory_runs.
std::uint64_t product_rows(const std::string& file) {
    using factory::testing::query;
    std::uint64_t n = 0;
    for (const auto& t : query(file, "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'factory_runs'"))
        n += std::stoull(query(file, "SELECT count(*) FROM \"" + t.at(0).substr(2) + "\"").at(0).at(0).substr(2));
    return n;
}

} // namespace

TEST_CASE("sqlite through factory-host: sqlite3 reads back the jsonl exporter's products", "[e2e]") {
    using namespace factory::testing;
    auto dir = fresh_dir("sqlite");
    auto r = run_host({"--source", "synthetic:count=3000,keys=400", "--blueprint", "widget", "--workshops", "2",
                       "--exporter", "sqlite:file=flows.db", "--exporter", "jsonl:dir=out", "--contract", "1h",
                       "--inspect", "0"},
                      {.timeout = std::chrono::seconds(60), .cwd = dir});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE(r.summary.at("balanced") == true);

    // (pclass, pid, materials, bytes, first, last, protocol, end reason) -> count
    using row = std::tuple<std::string, std::uint64_t, std::uint64_t, std::uint64_t, std::int64_t, std::int64_t, int, int>;
    std::map<row, int> want, got;
    std::size_t products = 0;
    for (const char* pc : {"tcp", "udp", "icmp", "other"}) {
        auto file = dir / "out" / (std::string(pc) + ".jsonl");
        if (!std::filesystem::exists(file)) continue;
        for (const auto& j : read_jsonl(file)) {
            ++want[row{pc, j.at("pid"), j.at("materials"), j.at("bytes"), j.at("first_seen"), j.at("last_seen"),
                       j.at("protocol"), j.at("end_reason")}];
            ++products;
        }
        // The sqlite3 tool, as a user would run it; pid is a u64 hash, stored bit for bit.
        std::string text = factory::testing::run_and_read(
            {"sqlite3", "-readonly", "-separator", " ", (dir / "flows.db").string(),
             std::string("SELECT pid, materials, bytes, first_seen, last_seen, protocol, end_reason FROM ") + pc},
            std::chrono::seconds(30), dir);
        std::istringstream in(text);
        std::int64_t pid, first, last;
        std::uint64_t materials, bytes;
        int protocol, reason;
        while (in >> pid >> materials >> bytes >> first >> last >> protocol >> reason)
            ++got[row{pc, static_cast<std::uint64_t>(pid), materials, bytes, first, last, protocol, reason}];
    }
    REQUIRE(products > 300);
    CHECK(got == want);
    CHECK(r.summary.at("exporters").at(0).at("exported") == products);
    std::filesystem::remove_all(dir);
}

TEST_CASE("transportation killed again and again during an sqlite run: the rows committed are the products counted exported",
          "[e2e][faults]") {
    using namespace factory::testing;
    auto dir = fresh_dir("sqlite-kill");
    // A killer thread, started once the run is under way: transportation killed every 400 ms, at
    // whatever point of its round the driver is, 15 times.
    std::atomic<int> kills{0};
    std::atomic<bool> done{false};
    std::thread killer;
    host_options opt;
    opt.cwd = dir;
    opt.timeout = std::chrono::seconds(180);
    opt.on_output = [&](pid_t host, const std::string& err) {
        if (killer.joinable() || err.find(" ops ") == std::string::npos) return;
        killer = std::thread([&, host] {
            while (!done && kills < 15) {
                std::this_thread::sleep_for(std::chrono::milliseconds(400));
                pid_t t = find_child(host, "factory: transportation");
                if (!done && t > 0 && ::kill(t, SIGKILL) == 0) ++kills;
            }
        });
    };
    // Every worker fired within 100 ms: products flow all the time, more than the exporter takes
    // at once (an index on a random key, synchronous=full), so the driver is always in a round of
    // three pclasses, each a transaction of its own: a kill often falls between a pclass's commit
    // and the end of the round, where the products are in the database but not yet counted.
    auto r = run_host({"--source", "synthetic:count=800000,keys=100000", "--rate", "200000", "--blueprint", "widget",
                       "--workshops", "1", "--contract", "50ms", "--max-age", "100ms", "--inspect", "0", "--flush",
                       "100ms", "--max-restarts", "100", "--exporter", "sqlite:file=flows.db,synchronous=full,index=pid"},
                      opt);
    done = true;
    if (killer.joinable()) killer.join();
    INFO(r.err);
    REQUIRE(kills >= 3);
    CHECK(r.exit_code == 1); // processes died: not a clean run
    REQUIRE(r.summary.is_object());
    CHECK(r.summary.at("balanced") == true);
    const auto& x = r.summary.at("exporters").at(0);
    const std::uint64_t rows = product_rows((dir / "flows.db").string());
    CHECK(rows == x.at("exported").get<std::uint64_t>());
    CHECK(factory::testing::query((dir / "flows.db").string(), "SELECT count(*), sum(products) FROM factory_runs") ==
          factory::testing::rows{{"i:1", "i:" + std::to_string(rows)}});
    CHECK(x.at("exported").get<std::uint64_t>() + x.at("dead_lettered").get<std::uint64_t>() +
              x.at("lost").get<std::uint64_t>() ==
          r.summary.at("shipped").get<std::uint64_t>());
    std::filesystem::remove_all(dir);
}

TEST_CASE("a second run into the database another run is writing is refused at start, naming the file", "[e2e]") {
    using namespace factory::testing;
    auto dir = fresh_dir("sqlite-twice");
    host_result second;
    bool ran = false;
    host_options opt;
    opt.cwd = dir;
    opt.timeout = std::chrono::seconds(90);
    opt.on_output = [&](pid_t host, const std::string& err) {
        if (ran || err.find(" ops ") == std::string::npos) return;
        ran = true; // the first run is under way: its exporter holds the file
        second = run_host({"--source", "synthetic:count=1000", "--exporter", "sqlite:file=flows.db,mode=append"},
                          {.timeout = std::chrono::seconds(60), .cwd = dir});
        ::kill(host, SIGTERM);
    };
    auto first = run_host({"--source", "synthetic:keys=1000", "--rate", "5000", "--contract", "100ms", "--exporter",
                           "sqlite:file=flows.db"},
                          opt);
    INFO(first.err << "\n--- second run:\n" << second.err);
    REQUIRE(ran);
    CHECK(second.exit_code == 2);
    CHECK(second.err.find("'flows.db' is being written by another run (process ") != std::string::npos);
    CHECK(second.err.find("wait until it ends, or write somewhere else (its lock: 'flows.db.lock')") != std::string::npos);
    CHECK(first.exit_code == 0);
    REQUIRE(first.summary.is_object());
    CHECK(product_rows((dir / "flows.db").string()) == first.summary.at("exporters").at(0).at("exported").get<std::uint64_t>());
    CHECK_FALSE(std::filesystem::exists(dir / "flows.db.lock"));
    std::filesystem::remove_all(dir);
}
