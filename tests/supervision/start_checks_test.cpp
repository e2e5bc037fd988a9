// What cannot work is refused at start, naming the thing and what to do: a product that could never
// fit a lane, a dead-letter folder that belongs to someone else.
#include "supervision_support.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

using namespace factory::testing;
using namespace std::chrono_literals;

TEST_CASE("a product class larger than a lane is refused at start, and runs with a lane that holds it",
          "[supervision]") {
    auto dir = fresh_dir("bigprod");
    auto refused = run_in(dir, {"--source", "synthetic:keys=10,count=100", "--blueprint", big_blueprint, "--exporter",
                                "null"});
    INFO(refused.err);
    CHECK(refused.exit_code == 2);
    CHECK(contains(refused.err, "pclass 'big' takes 5242912 bytes, more than a lane of --lane-size 4MiB can carry"));
    CHECK(contains(refused.err, "raise --lane-size to at least 32MiB"));
    auto ok = run_in(dir, {"--source", "synthetic:keys=10,count=100", "--blueprint", big_blueprint,
                           "--exporter", "null",
                           "--lane-size", "32MiB", "--workshops", "1"});
    INFO(ok.err);
    CHECK(ok.exit_code == 0);
    CHECK(u(ok.summary, "shipped") == 10);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a dead-letter folder that belongs to another user is refused at start", "[supervision]") {
    if (::geteuid() != 0) {
        WARN("needs root to give a folder to another user: skipped");
        return;
    }
    auto dir = fresh_dir("dlowner");
    std::filesystem::create_directories(dir / "dead");
    REQUIRE(::chown((dir / "dead").c_str(), 65534, 65534) == 0);
    auto r = run_in(dir, {"--source", "synthetic:count=10", "--exporter", "null", "--dead-letter", "dead"});
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "--dead-letter dead belongs to another user (uid 65534)"));
    std::filesystem::remove_all(dir);
}
