// checkpoint_keeper: a workshop snapshot written off the line that fails fails its checkpoint where
// every department's failures are said (the segment header), so purchasing, waiting in
// host_checkpoint_now for that epoch, stops waiting; and a checkpoint completes only once every
// workshop's snapshot is written.
#include "runtime/checkpoint_keeper.hpp"

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <unistd.h>
#include <vector>

using namespace factory;

namespace {

struct fixture {
    factory::testing::temp_dir dir;
    std::string name;
    std::vector<std::string> taken;
    shm::segment seg = shm::segment::create_for_run(static_cast<int>(::getpid()), name, taken, 2, 1u << 16, 1u << 16, "{}");
    run_config cfg;
    std::optional<checkpoint::store> store;
    fixture() {
        cfg.checkpoint_dir = (dir.path() / "ck").string();
        store.emplace(checkpoint::store::open(cfg.checkpoint_dir));
    }
    ~fixture() { shm::segment::remove(name); }
};

} // namespace

TEST_CASE("a workshop snapshot that failed fails a checkpoint the source took, in the header", "[checkpoints]") {
    fixture f;
    runtime::checkpoint_keeper keeper(f.seg, f.cfg, *f.store, {});
    auto& h = f.seg.header();
    h.checkpoint_asked.store(5);
    h.checkpoint_committed.store(5); // transportation committed it ...
    f.seg.workshop(0).snapshot_written.store(5);
    f.seg.workshop(1).snapshot_failed.store(5); // ... but workshop 2's snapshot failed
    CHECK_FALSE(keeper.poll());
    CHECK(h.checkpoint_failed.load() == 5);
    CHECK(std::string(h.checkpoint_problem) == "workshop 2 could not write its snapshot");
    CHECK(h.checkpoint_complete.load() == 0);
    CHECK(keeper.failed() == 1);
}

TEST_CASE("a checkpoint committed by transportation waits for every workshop's snapshot", "[checkpoints]") {
    fixture f;
    runtime::checkpoint_keeper keeper(f.seg, f.cfg, *f.store, {});
    auto& h = f.seg.header();
    h.checkpoint_asked.store(3);
    h.checkpoint_committed.store(3);
    f.seg.workshop(0).snapshot_written.store(3);
    CHECK(keeper.poll()); // workshop 2 is still writing
    CHECK(h.checkpoint_failed.load() == 0);
    CHECK(keeper.failed() == 0);
    CHECK(keeper.taken() == 0);
}
