// store.hpp: the folder's safety checks and lock, publish and pruning, listing, the fallback of
// latest() past damaged or unfinished checkpoints, and the quarantine.
#include "checkpoint/store.hpp"

#include "checkpoint_fixture.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <sys/stat.h>
#include <unistd.h>

namespace cp = factory::checkpoint;
namespace fs = std::filesystem;
using factory::testing::temp_dir;
using factory::testing::write_checkpoint;

namespace {

std::vector<std::uint64_t> epochs_of(const cp::store& s) {
    std::vector<std::uint64_t> out;
    for (const auto& e : s.list()) out.push_back(e.epoch);
    return out;
}

std::string open_error(const fs::path& dir) {
    try {
        cp::store::open(dir);
    } catch (const cp::checkpoint_error& e) {
        return e.what();
    }
    return "(opened)";
}

void flip_byte(const fs::path& file, std::size_t at) {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(at));
    char c = 0;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(at));
    f.put(static_cast<char>(c ^ 0x10));
}

} // namespace

TEST_CASE("open creates a private checkpoint folder and writes its pid into the lock") {
    temp_dir tmp;
    const fs::path dir = tmp.path() / "jobs" / "ck";
    const auto s = cp::store::open(dir);
    CHECK(fs::is_directory(dir));
    CHECK(factory::testing::mode_of(dir.string()) == 0700);
    CHECK(factory::testing::read_file((dir / "lock").string()) == std::to_string(::getpid()) + "\n");
    CHECK(s.list().empty());
    CHECK(s.highest_epoch() == 0);
    const auto d = s.dir_for(7);
    CHECK(d == dir / "epoch-000000000007");
    CHECK(factory::testing::mode_of(d.string()) == 0700);

    const auto slash = cp::store::open((tmp.path() / "other").string() + "/");
    CHECK(factory::testing::mode_of((tmp.path() / "other").string()) == 0700);
}

TEST_CASE("a second open of a held folder names the pid that holds it, and opens once released") {
    temp_dir tmp;
    const fs::path dir = tmp.path() / "ck";
    {
        auto first = cp::store::open(dir);
        CHECK(open_error(dir) == "another factory-host (pid " + std::to_string(::getpid()) + ") uses " + dir.string() +
                                     "; wait for it to end, or give this run another checkpoint folder");
        auto moved = std::move(first); // the lock moves with the store
        CHECK_THAT(open_error(dir), Catch::StartsWith("another factory-host"));
    }
    CHECK(open_error(dir) == "(opened)");
}

TEST_CASE("a checkpoint folder that group or others may write to, or another user owns, is refused") {
    temp_dir tmp;
    const fs::path dir = tmp.path() / "ck";
    fs::create_directory(dir);
    ::chmod(dir.c_str(), 0770);
    CHECK(open_error(dir) == "checkpoint folder " + dir.string() +
                                 " may be written by group or others, who could change what a run restores; run "
                                 "'chmod go-w " + dir.string() + "'");
    CHECK_FALSE(fs::exists(dir / "lock"));
    ::chmod(dir.c_str(), 0755);
    CHECK(open_error(dir) == "(opened)");

    if (::chown(dir.c_str(), 65534, 65534) != 0) {
        WARN("skipped the other-owner case: cannot chown here (needs root)");
        return;
    }
    CHECK(open_error(dir) == "checkpoint folder " + dir.string() +
                                 " belongs to another user (uid 65534); use a folder of your own");
}

TEST_CASE("a file where the folder should be is refused") {
    temp_dir tmp;
    factory::testing::write_file(tmp / "ck", "x");
    CHECK(open_error(tmp.path() / "ck") == "checkpoint folder " + (tmp.path() / "ck").string() +
                                                " is not a folder; give a folder for checkpoints");
}

TEST_CASE("publish keeps the newest `keep` complete checkpoints and drops older incomplete ones") {
    temp_dir tmp;
    auto s = cp::store::open(tmp.path() / "ck");
    write_checkpoint(s, 1, {2, 3}, 2);
    write_checkpoint(s, 2, {2, 3}, 2);
    CHECK(epochs_of(s) == std::vector<std::uint64_t>{1, 2});
    s.dir_for(3); // a checkpoint that never finished
    factory::testing::write_file((s.dir_for(3) / "workshop-0.snap").string(), "partial");
    CHECK(epochs_of(s) == std::vector<std::uint64_t>{1, 2, 3});
    write_checkpoint(s, 4, {2, 3}, 2);
    CHECK(epochs_of(s) == std::vector<std::uint64_t>{2, 4});
    write_checkpoint(s, 5, {2, 3}, 2);
    CHECK(epochs_of(s) == std::vector<std::uint64_t>{4, 5});
    CHECK(s.prune_problems().empty());
    write_checkpoint(s, 6, {1}, 0); // keep 0 still keeps the one just published
    CHECK(epochs_of(s) == std::vector<std::uint64_t>{6});
    CHECK(s.highest_epoch() == 6);
    CHECK_FALSE(fs::exists(s.dir() / "epoch-000000000006" / ".MANIFEST.tmp"));
}

TEST_CASE("list says which checkpoints are complete, their size and what is wrong") {
    temp_dir tmp;
    auto s = cp::store::open(tmp.path() / "ck");
    const auto m1 = write_checkpoint(s, 1, {2, 3});
    write_checkpoint(s, 2, {4});
    factory::testing::write_file((s.dir_for(3) / "purchasing.snap").string(), "x");
    fs::remove(s.dir_for(2) / "workshop-1.snap");
    factory::testing::write_file((s.dir_for(12) / "MANIFEST").string(), "{");

    const auto all = s.list();
    REQUIRE(all.size() == 4);
    CHECK(all[0].epoch == 1);
    CHECK(all[0].complete);
    CHECK(all[0].problem.empty());
    REQUIRE(all[0].m.has_value());
    CHECK(all[0].m->files == m1.files);
    std::uint64_t expected_bytes = fs::file_size(s.dir_for(1) / "MANIFEST");
    for (const auto& f : m1.files) expected_bytes += f.bytes;
    CHECK(all[0].bytes == expected_bytes);
    CHECK(all[1].complete);
    CHECK(all[1].problem == "workshop-1.snap is missing");
    CHECK_FALSE(all[2].complete);
    CHECK(all[2].problem == "no MANIFEST (the checkpoint did not finish)");
    CHECK(all[2].bytes == 1);
    CHECK(all[3].epoch == 12);
    CHECK_FALSE(all[3].complete);
    CHECK(all[3].problem == "MANIFEST: not JSON (cut short or damaged)");
    CHECK(s.highest_epoch() == 12);
}

TEST_CASE("latest falls back past a damaged, a short and an unfinished checkpoint, saying why") {
    temp_dir tmp;
    auto s = cp::store::open(tmp.path() / "ck");
    write_checkpoint(s, 1, {2, 3});
    write_checkpoint(s, 2, {2, 3});
    write_checkpoint(s, 3, {2, 3});
    s.dir_for(4);

    std::vector<std::string> skipped;
    auto m = s.latest(skipped);
    REQUIRE(m.has_value());
    CHECK(m->epoch == 3);
    CHECK(skipped == std::vector<std::string>{"epoch 4: incomplete: no MANIFEST (the checkpoint did not finish)"});

    const fs::path damaged = s.dir_for(3) / "workshop-1.snap";
    flip_byte(damaged, 80);
    fs::resize_file(s.dir_for(2) / "workshop-1.snap", 10);
    skipped.clear();
    m = s.latest(skipped);
    REQUIRE(m.has_value());
    CHECK(m->epoch == 1);
    CHECK(m->workshops == 2);
    REQUIRE(skipped.size() == 3);
    CHECK(skipped[1] == "epoch 3: " + damaged.string() + ": checksum mismatch (the file is damaged)");
    CHECK_THAT(skipped[2], Catch::StartsWith("epoch 2: workshop-1.snap has 10 bytes, its MANIFEST says "));

    fs::remove(s.dir_for(1) / "purchasing.snap");
    skipped.clear();
    CHECK_FALSE(s.latest(skipped).has_value());
    CHECK(skipped.back() == "epoch 1: purchasing.snap is missing");
}

TEST_CASE("a snapshot swapped in from another checkpoint is caught by its checksum") {
    temp_dir tmp;
    auto s = cp::store::open(tmp.path() / "ck");
    write_checkpoint(s, 1, {2});
    write_checkpoint(s, 2, {3});
    // purchasing.snap of epoch 1 has the same size as epoch 2's: only its checksum tells them apart.
    fs::copy_file(s.dir_for(1) / "purchasing.snap", s.dir_for(2) / "purchasing.snap",
                  fs::copy_options::overwrite_existing);
    std::vector<std::string> skipped;
    const auto m = s.latest(skipped);
    REQUIRE(m.has_value());
    CHECK(m->epoch == 1);
    REQUIRE(skipped.size() == 1);
    CHECK_THAT(skipped[0], Catch::StartsWith("epoch 2: purchasing.snap: checksum "));
}

TEST_CASE("the quarantine keeps sequence numbers across opens, ascending and unique") {
    temp_dir tmp;
    const fs::path dir = tmp.path() / "ck";
    {
        auto s = cp::store::open(dir);
        CHECK(s.quarantined().empty());
        s.quarantine(50, "workshop 1 died: SIGSEGV");
        s.quarantine(7, "two\nlines");
        s.quarantine(50, "again");
    }
    const auto s = cp::store::open(dir);
    CHECK(s.quarantined() == std::vector<std::uint64_t>{7, 50});
    CHECK(factory::testing::read_file((dir / "quarantine").string()) ==
          "50\tworkshop 1 died: SIGSEGV\n7\ttwo lines\n50\tagain\n");
    std::ofstream(dir / "quarantine", std::ios::app) << "garbage\n9\ttorn";
    CHECK(s.quarantined() == std::vector<std::uint64_t>{7, 50});
}

TEST_CASE("a view takes no lock and refuses to write") {
    temp_dir tmp;
    const fs::path dir = tmp.path() / "ck";
    auto held = cp::store::open(dir);
    write_checkpoint(held, 1, {1});
    auto v = cp::store::view(dir);
    CHECK(epochs_of(v) == std::vector<std::uint64_t>{1});
    CHECK_THROWS_WITH(v.quarantine(1, "x"), Catch::Contains("opened for reading only"));
    CHECK_THROWS_WITH(cp::store::view(tmp.path() / "absent"), Catch::Contains("absent"));
}
