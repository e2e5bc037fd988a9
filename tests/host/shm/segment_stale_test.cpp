// Which segments remove_stale() removes: only those of ended runs. A live run is told by the lock
// its host holds, not by a pid (which may belong to another PID namespace); a file at a
// factory-looking name that this run did not create is left alone, and create() says what it is.
#include "support/watchdog.hpp"
#include <catch2/catch.hpp>

#include "shm/segment.hpp"
#include "shm/segment_file.hpp"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace factory::shm;
using factory::testing::watchdog;

namespace {

constexpr unsigned watchdog_seconds = 60;
constexpr std::uint64_t ring_bytes = 4096;

// A pid that belonged to a process that has ended and been reaped.
pid_t dead_pid() {
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) ::_exit(0);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return pid;
}

bool removed(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

std::string content_of(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// A run's host in a child process: it creates the segment at `name`, records `recorded_pid` as
// its host pid (as a host in another PID namespace would), and lives until end() (or, with
// `linger` false, ends at once, leaving its segment behind as a killed host does).
class run_host_child {
public:
    run_host_child(const std::string& name, pid_t recorded_pid, bool linger = true) {
        int ready[2], go[2];
        REQUIRE(::pipe(ready) == 0);
        REQUIRE(::pipe(go) == 0);
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::close(ready[0]);
            ::close(go[1]);
            try {
                auto seg = segment::create(name, 1, ring_bytes, ring_bytes, "{}");
                seg.header().host_pid = recorded_pid;
                char c = 1;
                if (::write(ready[1], &c, 1) != 1) ::_exit(2);
                if (linger) (void)!::read(go[0], &c, 1); // returns when the parent closes its end
            } catch (...) {
                ::_exit(1);
            }
            ::_exit(0); // without removing the segment
        }
        ::close(ready[1]);
        ::close(go[0]);
        go_ = go[1];
        char c = 0;
        const bool up = ::read(ready[0], &c, 1) == 1;
        ::close(ready[0]);
        if (!linger) end();
        REQUIRE(up);
    }
    ~run_host_child() { end(); }
    void end() {
        if (go_ >= 0) ::close(go_);
        go_ = -1;
        if (pid_ > 0) {
            int status = 0;
            ::waitpid(pid_, &status, 0);
        }
        pid_ = -1;
    }
    pid_t pid() const { return pid_; }

private:
    pid_t pid_ = -1;
    int go_ = -1;
};

} // namespace

TEST_CASE("a segment held by a live run is left alone, whatever pid it recorded, and goes when the run ends",
          "[segment]") {
    watchdog dog(watchdog_seconds);
    const pid_t recorded = dead_pid();
    const std::string name = segment::name_for(recorded);
    const std::string path = detail::segment_path(name);
    run_host_child run(name, recorded);
    // The recorded pid is no process here, as for a host in another PID namespace.
    CHECK_FALSE(removed(segment::remove_stale(), name));
    REQUIRE(std::filesystem::exists(path));
    const detail::segment_file f = detail::look_at(name);
    CHECK(f.factory);
    CHECK(f.held);
    CHECK(f.host_pid == recorded);
    try {
        segment::create(name, 1, ring_bytes, ring_bytes, "{}");
        FAIL("create() at a live run's name succeeded");
    } catch (const segment_name_taken& e) {
        CHECK(std::string(e.what()) == "cannot create the shared segment: " + path +
                                           " is the segment of a live run (its host recorded pid " +
                                           std::to_string(recorded) +
                                           ", perhaps in another PID namespace that shares /dev/shm); it is left alone");
    }
    CHECK(detail::look_at(name).held); // the failed create took nothing away from the run
    run.end();
    CHECK_FALSE(detail::look_at(name).held);
    CHECK(removed(segment::remove_stale(), name));
    CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("a segment whose host ended is removed, one whose recorded host lives here is kept", "[segment]") {
    watchdog dog(watchdog_seconds);
    const pid_t gone = dead_pid();
    const std::string ended = segment::name_for(gone);
    { run_host_child run(ended, gone, false); }
    const std::string old_style = segment::name_for(dead_pid());
    // An unlocked segment whose recorded host is alive here: a run of a factory that held no
    // lock. Not removed.
    { run_host_child run(old_style, ::getpid(), false); }
    REQUIRE(std::filesystem::exists(detail::segment_path(ended)));
    REQUIRE(std::filesystem::exists(detail::segment_path(old_style)));
    const auto names = segment::remove_stale();
    CHECK(removed(names, ended));
    CHECK_FALSE(std::filesystem::exists(detail::segment_path(ended)));
    CHECK_FALSE(removed(names, old_style));
    CHECK(std::filesystem::exists(detail::segment_path(old_style)));
    try {
        segment::create(old_style, 1, ring_bytes, ring_bytes, "{}");
        FAIL("create() over a kept segment succeeded");
    } catch (const segment_name_taken& e) {
        CHECK(std::string(e.what()) == "cannot create the shared segment: " + detail::segment_path(old_style) +
                                           " is a segment of an ended run whose recorded host pid " +
                                           std::to_string(::getpid()) +
                                           " is a live process here; factory leaves it alone: remove it once no "
                                           "factory run uses it");
    }
    CHECK(segment::remove(old_style));
}

TEST_CASE("a file at a factory name that is no factory segment is left alone, and the run takes another name",
          "[segment]") {
    watchdog dog(watchdog_seconds);
    const pid_t pid = dead_pid();
    const std::string name = segment::name_for(pid);
    const std::string path = detail::segment_path(name);
    const std::string text = "not a segment";
    { std::ofstream(path) << text; }
    ::chmod(path.c_str(), 0600);
    CHECK_FALSE(removed(segment::remove_stale(), name));
    CHECK(content_of(path) == text);
    const std::string what = path + " is a file that is not a factory segment (owned by uid " +
                             std::to_string(::geteuid()) + ", 13 bytes); factory leaves it alone: remove it if "
                             "nothing needs it";
    try {
        segment::create(name, 1, ring_bytes, ring_bytes, "{}");
        FAIL("create() over a foreign file succeeded");
    } catch (const segment_name_taken& e) {
        CHECK(std::string(e.what()) == "cannot create the shared segment: " + what);
    }
    CHECK(content_of(path) == text);
    std::string used;
    std::vector<std::string> taken;
    {
        auto seg = segment::create_for_run(pid, used, taken, 1, ring_bytes, ring_bytes, "{}");
        CHECK(used == name + "-1");
        REQUIRE(taken.size() == 1);
        CHECK(taken[0] == "cannot create the shared segment: " + what);
        CHECK(seg.header().magic == segment_magic);
        CHECK(detail::look_at(used).held);
        CHECK(segment::remove(used));
    }
    CHECK(content_of(path) == text);
    ::unlink(path.c_str());
}

TEST_CASE("files of another user at factory names are left alone, segment or not (root only)", "[segment]") {
    if (::geteuid() != 0) {
        WARN("skipped: chown to another user needs root");
        return;
    }
    watchdog dog(watchdog_seconds);
    constexpr uid_t nobody = 65534;
    const pid_t a = dead_pid(), b = dead_pid();
    const std::string foreign = segment::name_for(a), theirs = segment::name_for(b);
    { std::ofstream(detail::segment_path(foreign)) << "x"; }
    { run_host_child run(theirs, b, false); }
    REQUIRE(::chown(detail::segment_path(foreign).c_str(), nobody, nobody) == 0);
    REQUIRE(::chown(detail::segment_path(theirs).c_str(), nobody, nobody) == 0);
    const auto names = segment::remove_stale();
    CHECK_FALSE(removed(names, foreign));
    CHECK_FALSE(removed(names, theirs));
    CHECK(content_of(detail::segment_path(foreign)) == "x");
    CHECK(detail::look_at(theirs).factory);
    try {
        segment::create(theirs, 1, ring_bytes, ring_bytes, "{}");
        FAIL("create() over another user's segment succeeded");
    } catch (const segment_name_taken& e) {
        CHECK(std::string(e.what()) == "cannot create the shared segment: " + detail::segment_path(theirs) +
                                           " is a segment left by an ended run of uid 65534; factory leaves it "
                                           "alone: that user or root can remove it");
    }
    CHECK(std::filesystem::exists(detail::segment_path(foreign)));
    ::unlink(detail::segment_path(foreign).c_str());
    ::unlink(detail::segment_path(theirs).c_str());
}
