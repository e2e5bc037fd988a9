// A program the tests start and must never leave behind (nfcapd, softflowd, nfdump): its output
// goes to files, it dies with the test process (PR_SET_PDEATHSIG), a destructor kills whatever
// is still running, and every wait has a deadline (a hang fails the test instead of CI).
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <sys/types.h>

namespace factory::testing {

class child_process {
public:
    // Starts `argv` (argv[0] is looked up in PATH) with TZ=UTC, in `cwd`, stdout and stderr to
    // out_file / err_file. Throws std::runtime_error when it cannot be started.
    child_process(std::vector<std::string> argv, const std::filesystem::path& out_file,
                  const std::filesystem::path& err_file, const std::filesystem::path& cwd = {});
    // Kills (SIGKILL) and reaps the program if it still runs.
    ~child_process();
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    pid_t pid() const noexcept { return pid_; }
    bool running();

    // Sends `sig` (if still running).
    void signal(int sig);

    // Waits for the end, at most `limit`; then SIGKILL. Returns the exit code, or -1 when it was
    // killed by a signal or the deadline (timed_out() tells which).
    int wait(std::chrono::milliseconds limit);
    bool timed_out() const noexcept { return timed_out_; }

private:
    pid_t pid_ = -1;
    bool reaped_ = false;
    bool timed_out_ = false;
    int status_ = 0;
};

// Runs `argv` to its end (at most `limit`) and returns its stdout; throws std::runtime_error,
// with its stderr, when it fails or times out.
std::string run_and_read(const std::vector<std::string>& argv, std::chrono::milliseconds limit,
                         const std::filesystem::path& scratch_dir);

std::string read_text(const std::filesystem::path& file);

} // namespace factory::testing
