// Every exit code of factory-host, named once. The host's codes are what a user, a script or
// systemd sees; a child's codes are what the supervisor reads, together with the child's state in
// its process block, to tell an orderly end from a death (runtime/child_end.hpp).
#pragma once

namespace factory {

// factory-host's own exit code.
enum class host_exit : int {
    clean = 0,           // the run ended, balanced, and nothing was lost or failed to export
    not_clean = 1,       // it ended, but something was lost, crashed or could not be exported
    refused = 2,         // refused to start (a setting, a plugin); nothing ran
    fatal = 3,           // the shared segment could not be created
    dead_letter_limit = 4 // more dead letters than --max-dead-letters allows
};

// A child process's exit code. Only `finished`, `source_failed` and `undelivered` are orderly
// ends, and only when the child also marked its process block done: a plugin that calls exit()
// ends with one of these numbers without that mark, and is a death like any other.
enum class child_exit : int {
    finished = 0,      // did its part of the run to the end
    not_ours = 1,      // started outside a run of this host (wrong parent, unknown workshop)
    refused = 2,       // a plugin failed to open; the message is in the process block
    setup_failed = 3,  // could not map the segment or read the run's settings
    undelivered = 4,   // transportation ended in order, but some products were dead-lettered
    source_failed = 5  // purchasing ended in order after its source reported an input error
};

constexpr int code(host_exit e) noexcept { return static_cast<int>(e); }
constexpr int code(child_exit e) noexcept { return static_cast<int>(e); }

} // namespace factory
