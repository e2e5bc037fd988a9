// What sits at a segment's name in /dev/shm, and whether a live run holds it.
//
// A live host holds flock(LOCK_EX) on its segment's descriptor from the moment it creates the
// segment to its exit; the kernel drops the lock when the host ends, however it ends. So "nobody
// holds the lock" says that the run ended, across PID namespaces, where a pid recorded in the
// header (or in the name) cannot: the same number may be a live process in one namespace and
// nothing in another.
//
// A segment is stale, and remove_if_stale() removes it, only when all of these hold: it is a
// regular file of this user, it carries the segment magic, nobody holds its lock, and its
// recorded host pid is not a live process here either (a run of an older factory held no lock).
// Anything else at a factory-looking name is left alone: this run did not create it.
#pragma once

#include <cstdint>
#include <string>

namespace factory::shm::detail {

// The facts about /dev/shm/<name>, read without changing anything.
struct segment_file {
    bool exists = false;
    bool regular = false;
    bool readable = false;       // this user could open it (the next three are known only then)
    bool factory = false;        // it carries the segment magic
    bool held = false;           // a live host holds its lock
    std::int32_t host_pid = 0;   // the pid its host recorded (factory segments)
    std::uint32_t owner = 0;     // uid
    std::uint64_t size = 0;
};

std::string segment_path(const std::string& name);

segment_file look_at(const std::string& name);

// One sentence for an error message: what is at the name, and what the user can do about it.
std::string describe(const std::string& name, const segment_file& f);

// Removes /dev/shm/<name> when it is stale (see above), holding its lock while it checks and
// unlinks, so that no run can start to use it in between. Never throws.
bool remove_if_stale(const std::string& name) noexcept;

// Takes the run's lock on the descriptor of a segment this process has just created; the lock
// lasts as long as the descriptor. False (errno set) when it cannot.
bool hold_for_life(int fd) noexcept;

} // namespace factory::shm::detail
