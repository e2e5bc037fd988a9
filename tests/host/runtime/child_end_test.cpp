#include "runtime/child_end.hpp"

#include <catch2/catch.hpp>

#include <csignal>

#include <sys/wait.h>

using namespace factory;
using namespace factory::runtime;
using shm::child_state;

namespace {
int exited(int code) { return W_EXITCODE(code, 0); }
int killed(int sig) { return W_EXITCODE(0, sig); }
} // namespace

TEST_CASE("an orderly code is an orderly end only when the child marked its work done", "[runtime]") {
    for (role r : {role::purchasing, role::workshop, role::transportation}) {
        CHECK(classify_end(r, exited(0), child_state::done) == child_end::finished);
        // exit(0) from inside a hook: the child never got to mark done.
        CHECK(classify_end(r, exited(0), child_state::running) == child_end::died);
        CHECK(classify_end(r, exited(0), child_state::ready) == child_end::died);
    }
}

TEST_CASE("a reported failure is orderly only for the department that reports it", "[runtime]") {
    CHECK(classify_end(role::purchasing, exited(code(child_exit::source_failed)), child_state::done) ==
          child_end::finished_unclean);
    CHECK(classify_end(role::transportation, exited(code(child_exit::undelivered)), child_state::done) ==
          child_end::finished_unclean);
    // The same numbers from another department, or without the mark, are deaths.
    CHECK(classify_end(role::workshop, exited(code(child_exit::source_failed)), child_state::done) == child_end::died);
    CHECK(classify_end(role::workshop, exited(code(child_exit::undelivered)), child_state::done) == child_end::died);
    CHECK(classify_end(role::purchasing, exited(code(child_exit::source_failed)), child_state::running) ==
          child_end::died);
    CHECK(classify_end(role::transportation, exited(code(child_exit::undelivered)), child_state::running) ==
          child_end::died);
}

TEST_CASE("a refusal needs the failed mark, and exit code 2 without it is a death", "[runtime]") {
    CHECK(classify_end(role::workshop, exited(code(child_exit::refused)), child_state::failed) == child_end::refused);
    CHECK(classify_end(role::workshop, exited(code(child_exit::refused)), child_state::running) == child_end::died);
    CHECK(classify_end(role::workshop, exited(code(child_exit::refused)), child_state::done) == child_end::died);
}

TEST_CASE("a signal is always a death, whatever the child marked", "[runtime]") {
    for (int sig : {SIGKILL, SIGSEGV, SIGTERM}) {
        CHECK(classify_end(role::workshop, killed(sig), child_state::done) == child_end::died);
        CHECK(classify_end(role::purchasing, killed(sig), child_state::failed) == child_end::died);
    }
    CHECK(describe_status(killed(SIGKILL)) == "signal Killed");
    CHECK(describe_status(exited(4)) == "exit code 4");
}
