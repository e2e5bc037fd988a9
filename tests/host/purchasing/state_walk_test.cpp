// The state walk a source receives in on_checkpoint_done: every worker of every workshop snapshot
// of the epoch folder, in workshop order (workshop-2 before workshop-10), each with its times,
// count and state; FACTORY_END after the last; a damaged file is an error naming it.
#include "purchasing/state_walk.hpp"

#include "checkpoint/paths.hpp"
#include "checkpoint/snapshot.hpp"
#include "support/host_run.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

using factory::purchasing::state_walk;
namespace ck = factory::checkpoint;

namespace {

void write_workshop(const std::filesystem::path& dir, std::uint32_t index, std::vector<std::uint64_t> pids) {
    ck::blueprint_identity bp{"tally", "1.0.0", 8, 8, 42};
    ck::snapshot_writer out(dir / factory::workshop_snapshot_name(index), ck::part::workshop, index, 3, bp);
    for (std::uint64_t pid : pids) {
        const std::uint64_t state = pid * 10;
        out.add_worker(pid, 1000 + static_cast<std::int64_t>(pid), 2000 + static_cast<std::int64_t>(pid),
                       static_cast<std::uint32_t>(pid), &state);
    }
    out.finish();
}

} // namespace

TEST_CASE("a state walk gives every worker of the epoch's workshop snapshots, then the end", "[checkpoints]") {
    const auto dir = factory::testing::fresh_dir("state-walk");
    write_workshop(dir, 9, {7});        // workshop-10.snap
    write_workshop(dir, 0, {1, 2});     // workshop-1.snap
    write_workshop(dir, 1, {});         // workshop-2.snap: no workers
    { std::ofstream(dir / "purchasing.snap") << "not a workshop"; } // not walked
    state_walk walk(dir);
    const factory_state_walk* raw = walk.raw();
    REQUIRE(raw->struct_size == sizeof(factory_state_walk));
    std::vector<std::uint64_t> pids;
    factory_worker_image w{};
    factory_error err{};
    while (raw->host_next_worker(raw->self, &w, &err) == FACTORY_OK) {
        pids.push_back(w.pid);
        CHECK(w.hired_ns == 1000 + static_cast<std::int64_t>(w.pid));
        CHECK(w.last_seen_ns == 2000 + static_cast<std::int64_t>(w.pid));
        CHECK(w.materials == w.pid);
        REQUIRE(w.state_size == 8);
        std::uint64_t state = 0;
        std::memcpy(&state, w.state, 8);
        CHECK(state == w.pid * 10);
    }
    CHECK(pids == std::vector<std::uint64_t>{1, 2, 7});
    CHECK(raw->host_next_worker(raw->self, &w, &err) == FACTORY_END);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a state walk over a damaged snapshot stops with an error naming the file", "[checkpoints]") {
    const auto dir = factory::testing::fresh_dir("state-walk-bad");
    write_workshop(dir, 0, {1});
    std::filesystem::resize_file(dir / "workshop-1.snap", 40);
    state_walk walk(dir);
    factory_worker_image w{};
    factory_error err{};
    CHECK(walk.raw()->host_next_worker(walk.raw()->self, &w, &err) == FACTORY_ERROR);
    CHECK(std::string(err.message).find("workshop-1.snap") != std::string::npos);
    std::filesystem::remove_all(dir);
}
