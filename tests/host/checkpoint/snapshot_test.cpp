// snapshot.hpp: a written snapshot reads back exactly; nothing appears under its name before
// finish(); a damaged, truncated, foreign or newer-format file is refused with its own message; a
// full disk is said as such and leaves no file.
#include "checkpoint/snapshot.hpp"

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <sys/mount.h>

namespace cp = factory::checkpoint;
namespace fs = std::filesystem;
using factory::testing::temp_dir;

namespace {

struct state16 {
    std::uint64_t a, b;
};

cp::blueprint_identity identity(std::uint32_t state_size) {
    return {"sessions", "2.0.1", state_size, 8, 0xfeedfacecafebeefULL};
}

std::string refusal(const fs::path& file) {
    try {
        cp::snapshot_reader r(file);
    } catch (const cp::checkpoint_error& e) {
        return e.what();
    }
    return "(accepted)";
}

void patch(const fs::path& file, std::size_t at, const std::string& bytes) {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(at));
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

fs::path small_snapshot(const temp_dir& tmp) {
    const fs::path file = tmp.path() / "workshop-0.snap";
    cp::snapshot_writer w(file, cp::part::workshop, 0, 4, identity(16));
    for (std::uint64_t i = 0; i < 10; ++i) {
        const state16 s{i, i * i};
        w.add_worker(i, 1, 2, 3, &s);
    }
    w.finish();
    return file;
}

} // namespace

TEST_CASE("a snapshot reads back its identity, workers, counters, blob and clock") {
    temp_dir tmp;
    const fs::path file = tmp.path() / "workshop-3.snap";
    cp::snapshot_writer w(file, cp::part::workshop, 3, 42, identity(16));
    w.set_clock(1'700'000'000'123'456'789LL);
    w.set_counters({{"assembled", 1234}, {"dead_lettered", 5}});
    w.set_blob("\x01\x02\x00\x03", 4);
    for (std::uint64_t i = 0; i < 3; ++i) {
        const state16 s{100 + i, 200 + i};
        w.add_worker(1000 + i, -5 - static_cast<std::int64_t>(i), 77 + static_cast<std::int64_t>(i),
                     static_cast<std::uint32_t>(i * 2), &s);
    }
    const auto written = w.finish();

    const cp::snapshot_reader r(file);
    CHECK(r.what() == cp::part::workshop);
    CHECK(r.index() == 3);
    CHECK(r.epoch() == 42);
    CHECK(r.blueprint() == identity(16));
    CHECK(r.clock_ns() == 1'700'000'000'123'456'789LL);
    CHECK(r.counter_values() == cp::counters{{"assembled", 1234}, {"dead_lettered", 5}});
    CHECK(r.blob() == std::string_view("\x01\x02\x00\x03", 4));
    CHECK(r.workers() == 3);
    CHECK(written.workers == 3);
    CHECK(written.bytes == fs::file_size(file));
    CHECK(written.checksum == r.checksum());

    std::vector<std::uint64_t> pids;
    r.each_worker([&](const cp::worker_record& rec, const void* state) {
        const auto i = rec.pid - 1000;
        state16 s;
        std::memcpy(&s, state, sizeof s);
        CHECK(rec.hired_ns == -5 - static_cast<std::int64_t>(i));
        CHECK(rec.last_seen_ns == 77 + static_cast<std::int64_t>(i));
        CHECK(rec.materials == i * 2);
        CHECK(rec.state_size == 16);
        CHECK(s.a == 100 + i);
        CHECK(s.b == 200 + i);
        pids.push_back(rec.pid);
    });
    CHECK(pids == std::vector<std::uint64_t>{1000, 1001, 1002});
}

TEST_CASE("workers past the writer's buffer, with odd or no state, read back in order") {
    temp_dir tmp;
    for (const std::uint32_t state_size : {0u, 13u}) {
        const fs::path file = tmp.path() / ("p" + std::to_string(state_size) + ".snap");
        const std::uint64_t n = 200'000; // over 4 MiB of records: several flushes
        {
            cp::snapshot_writer w(file, cp::part::workshop, 1, 9, identity(state_size));
            unsigned char state[13] = {};
            for (std::uint64_t i = 0; i < n; ++i) {
                state[12] = static_cast<unsigned char>(i);
                w.add_worker(i * 3, 0, 0, 1, state_size == 0 ? nullptr : state);
            }
            CHECK(w.finish().workers == n);
        }
        const cp::snapshot_reader r(file);
        CHECK(r.workers() == n);
        std::uint64_t expect = 0, wrong = 0;
        r.each_worker([&](const cp::worker_record& rec, const void* state) {
            if (rec.pid != expect * 3) ++wrong;
            if (state_size > 0 && static_cast<const unsigned char*>(state)[12] != static_cast<unsigned char>(expect))
                ++wrong;
            ++expect;
        });
        CHECK(expect == n);
        CHECK(wrong == 0);
    }
}

TEST_CASE("nothing is at the snapshot's path before finish(), and an unfinished writer leaves no file") {
    temp_dir tmp;
    const fs::path file = tmp.path() / "workshop-0.snap";
    const fs::path temp = tmp.path() / ".workshop-0.snap.tmp";
    {
        cp::snapshot_writer w(file, cp::part::workshop, 0, 1, identity(0));
        w.add_worker(1, 0, 0, 1, nullptr);
        CHECK_FALSE(fs::exists(file));
        CHECK(fs::exists(temp));
    }
    CHECK_FALSE(fs::exists(file));
    CHECK_FALSE(fs::exists(temp));
    {
        cp::snapshot_writer w(file, cp::part::workshop, 0, 1, identity(0));
        w.finish();
    }
    CHECK(fs::exists(file));
    CHECK_FALSE(fs::exists(temp));
    CHECK(factory::testing::mode_of(file.string()) == 0600);
}

TEST_CASE("a truncated snapshot is refused with how much of it is there") {
    temp_dir tmp;
    const fs::path file = small_snapshot(tmp);
    const auto full = fs::file_size(file);
    fs::resize_file(file, full - 10);
    CHECK(refusal(file) == file.string() + ": truncated (" + std::to_string(full - 10) + " of " +
                               std::to_string(full) + " bytes)");
    fs::resize_file(file, 20);
    CHECK(refusal(file) == file.string() + ": truncated (20 bytes, less than the 56-byte header)");
}

TEST_CASE("a flipped byte in a snapshot is a checksum mismatch") {
    temp_dir tmp;
    const fs::path file = small_snapshot(tmp);
    patch(file, 100, "\x5a");
    CHECK(refusal(file) == file.string() + ": checksum mismatch (the file is damaged)");
}

TEST_CASE("a file that is no snapshot, or of a newer format, is refused as such") {
    temp_dir tmp;
    const fs::path file = small_snapshot(tmp);
    patch(file, 0, "X");
    CHECK(refusal(file) == file.string() + ": not a factory checkpoint snapshot");

    const fs::path other = small_snapshot(tmp);
    const std::uint32_t two = 2;
    patch(other, 8, std::string(reinterpret_cast<const char*>(&two), 4));
    CHECK(refusal(other) == other.string() + ": format version 2, this factory-host reads 1");

    const fs::path text = tmp.path() / "notes.txt";
    factory::testing::write_file(text.string(), "hello\n");
    CHECK(refusal(text) == text.string() + ": not a factory checkpoint snapshot");
    CHECK_THAT(refusal(tmp.path() / "absent.snap"), Catch::Contains("absent.snap") && Catch::Contains("No such file"));
}

TEST_CASE("a source position over 4096 bytes is refused") {
    temp_dir tmp;
    cp::snapshot_writer w(tmp.path() / "purchasing.snap", cp::part::purchasing, 0, 1, identity(0));
    const std::string big(4097, 'x');
    CHECK_THROWS_WITH(w.set_blob(big.data(), big.size()), Catch::Contains("4097 bytes, more than the 4096"));
    CHECK_NOTHROW(w.set_blob(big.data(), 4096));
}

TEST_CASE("a full disk is said as such, names the folder, and leaves no file") {
    temp_dir tmp;
    const fs::path small = tmp.path() / "small";
    fs::create_directory(small);
    if (::mount("tmpfs", small.c_str(), "tmpfs", 0, "size=64k") != 0) {
        WARN("skipped: cannot mount a 64 KiB tmpfs here (" << std::strerror(errno) << "); needs root");
        return;
    }
    struct unmount {
        const fs::path& p;
        ~unmount() { ::umount2(p.c_str(), MNT_DETACH); }
    } guard{small};
    const fs::path file = small / "workshop-0.snap";
    std::string message;
    {
        cp::snapshot_writer w(file, cp::part::workshop, 0, 1, identity(16));
        const state16 s{1, 2};
        for (std::uint64_t i = 0; i < 10'000; ++i) w.add_worker(i, 0, 0, 1, &s); // 480 KB
        try {
            w.finish();
        } catch (const cp::checkpoint_error& e) {
            message = e.what();
        }
    }
    CHECK_THAT(message, Catch::Contains("the disk is full") && Catch::Contains("no space left in " + small.string()));
    CHECK(fs::is_empty(small));
}
