// The lock a file exporter holds on each output while a run writes it, so that two runs (or two
// exporters of one run) never write the same file at once: an flock on "<output>.lock" beside
// it, taken at open and given up at close (the kernel gives it up when the process dies). The
// lock file holds the run's name (factory::run_id()) and the process id; it is removed at close.
// An output that exists and is not a regular file (/dev/stdout, a pipe) is not locked.
//
// It also tells a transportation process that replaces one that died from a new run: the lock
// file of an output that an earlier process of this same run was writing still names this run
// (resumed()), and that output is continued as it is, whatever the mode setting says.
#pragma once

#include <string>

namespace factory::output {

class output_lock {
public:
    // Takes the lock of `output`, creating its lock file (mode 0600). Throws factory::error
    // naming `output` when another process (or another exporter of this process) holds it, or
    // when the lock file cannot be made (then naming `setting` too: "dir" or "file").
    output_lock(const std::string& output, const char* setting);
    // Removes the lock file, then lets the lock go.
    ~output_lock();
    output_lock(const output_lock&) = delete;
    output_lock& operator=(const output_lock&) = delete;

    // True when the lock file named this run already: this process continues an earlier one's
    // output (the transportation process that wrote it died).
    bool resumed() const noexcept { return resumed_; }
    const std::string& path() const noexcept { return path_; }

private:
    std::string path_; // <output>.lock
    int fd_ = -1;
    bool resumed_ = false;
};

} // namespace factory::output
