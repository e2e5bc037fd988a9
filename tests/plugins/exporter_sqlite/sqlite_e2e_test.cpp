// The sqlite exporter in a real run of factory-host, next to the jsonl exporter: the rows the
// sqlite3 command-line tool reads back are exactly the products jsonl writes.
#include "support/child_process.hpp"
#include "support/host_run.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <sstream>
#include <tuple>

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
