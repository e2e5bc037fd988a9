// The lock every file exporter holds on its outputs (common/file_output/output_lock.hpp), through
// the jsonl exporter: a second writer of the same files is refused at open, naming the file; a
// transportation process that continues its run's output is told so by the lock file.
#include "common/file_output/output_lock.hpp"
#include "exporter_jsonl/jsonl_exporter.hpp"
#include "support/fake_transport.hpp"
#include "support/sample_products.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace factory::testing;

namespace {

const factory_descriptor* descriptor() {
    return factory::detail::exporter_descriptor<factory::output::jsonl_exporter>();
}

// Sets FACTORY_RUN for the scope, as factory-host does for its children.
class run_named {
public:
    explicit run_named(const char* run) { ::setenv(FACTORY_RUN_ENV, run, 1); }
    ~run_named() { ::unsetenv(FACTORY_RUN_ENV); }
};

const std::string alert7 = R"({"pid":7,"level":3,"message":"disk, full"})" "\n";

} // namespace

TEST_CASE("a second writer of the same files is refused at open while the first holds them, whatever its mode") {
    temp_dir d;
    const std::string dir = d.path().string();
    auto first = std::make_unique<fake_transport>(descriptor(), sample_pclasses(), fake_settings::overrides{{"dir", dir}});
    REQUIRE(first->open() == FACTORY_OK);
    CHECK(std::filesystem::exists(d / "flows.jsonl.lock"));
    CHECK(mode_of(d / "flows.jsonl.lock") == 0600);
    for (const char* mode : {"refuse", "append", "replace"}) {
        fake_transport second(descriptor(), sample_pclasses(), {{"dir", dir}, {"mode", mode}});
        CHECK(second.open() == FACTORY_ERROR);
        CHECK(second.error == "'" + dir + "/flows.jsonl' is being written by another exporter of this run: wait until "
                                  "it ends, or write somewhere else (its lock: '" + dir + "/flows.jsonl.lock')");
    }
    REQUIRE(first->export_records(1, std::vector<alert_record>{make_alert(7, 3, "disk, full")}) == FACTORY_OK);
    first.reset(); // closes: the lock files go
    CHECK_FALSE(std::filesystem::exists(d / "flows.jsonl.lock"));
    CHECK_FALSE(std::filesystem::exists(d / "alerts.jsonl.lock"));
    CHECK(read_file(d / "alerts.jsonl") == alert7); // replace never ran while the first wrote
    fake_transport third(descriptor(), sample_pclasses(), {{"dir", dir}, {"mode", "append"}});
    CHECK(third.open() == FACTORY_OK);
}

TEST_CASE("the lock names the holding process when it is another one") {
    temp_dir d;
    const std::string file = d / "all.jsonl";
    write_file(file + ".lock", "run other\npid 4242\n");
    // Another process holds it: a child that takes the lock and waits for its stdin to close.
    int to_child[2], from_child[2];
    REQUIRE(::pipe(to_child) == 0);
    REQUIRE(::pipe(from_child) == 0);
    pid_t child = ::fork();
    if (child == 0) {
        ::close(to_child[1]);
        ::close(from_child[0]);
        int fd = ::open((file + ".lock").c_str(), O_RDWR);
        if (fd < 0 || ::flock(fd, LOCK_EX) != 0) ::_exit(1);
        char c = 'y';
        if (::write(from_child[1], &c, 1) != 1) ::_exit(1);
        (void)!::read(to_child[0], &c, 1); // until the test closes its end
        ::_exit(0);
    }
    ::close(to_child[0]);
    ::close(from_child[1]);
    char c = 0;
    REQUIRE(::read(from_child[0], &c, 1) == 1);
    fake_transport t(descriptor(), sample_pclasses(), {{"file", file}});
    CHECK(t.open() == FACTORY_ERROR);
    CHECK(t.error == "'" + file + "' is being written by another run (process 4242): wait until it ends, or write "
                         "somewhere else (its lock: '" + file + ".lock')");
    ::close(to_child[1]);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK(WEXITSTATUS(status) == 0);
    // The holder is gone (its lock with it): the stale lock file does not stand in the way.
    fake_transport after(descriptor(), sample_pclasses(), {{"file", file}});
    CHECK(after.open() == FACTORY_OK);
}

TEST_CASE("a process that continues its own run's output (the lock file names the run) appends whatever the mode") {
    temp_dir d;
    const std::string dir = d.path().string();
    run_named run("run-a");
    // What a transportation process of run-a that died leaves: its output and its lock file.
    write_file(d / "alerts.jsonl", alert7);
    write_file(d / "alerts.jsonl.lock", "run run-a\npid 1\n");
    for (const char* mode : {"refuse", "replace"}) {
        std::string lock;
        {
            fake_transport t(descriptor(), sample_pclasses(), {{"dir", dir}, {"mode", mode}});
            REQUIRE(t.open() == FACTORY_OK);
            REQUIRE(t.export_records(1, std::vector<alert_record>{make_alert(7, 3, "disk, full")}) == FACTORY_OK);
            lock = read_file(d / "alerts.jsonl.lock");
            CHECK(lock == "run run-a\npid " + std::to_string(::getpid()) + "\n");
            REQUIRE(t.flush() == FACTORY_OK);
        }
        // Leave the lock file as a death would (a clean close removes it).
        write_file(d / "alerts.jsonl.lock", lock);
    }
    CHECK(read_file(d / "alerts.jsonl") == alert7 + alert7 + alert7);
    // Another run's lock file does not make this one a continuation.
    write_file(d / "alerts.jsonl.lock", "run run-b\npid 1\n");
    fake_transport t(descriptor(), sample_pclasses(), {{"dir", dir}});
    CHECK(t.open() == FACTORY_ERROR);
    CHECK_THAT(t.error, Catch::Contains("alerts.jsonl' exists already"));
}

TEST_CASE("a device is not locked and needs no mode") {
    fake_transport t(descriptor(), sample_pclasses(), {{"file", "/dev/null"}});
    REQUIRE(t.open() == FACTORY_OK);
    CHECK_FALSE(std::filesystem::exists("/dev/null.lock"));
}
