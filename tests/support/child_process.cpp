#include "child_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace factory::testing {

std::string read_text(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

child_process::child_process(std::vector<std::string> argv, const std::filesystem::path& out_file,
                             const std::filesystem::path& err_file, const std::filesystem::path& cwd) {
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    std::vector<std::string> env_text;
    for (char** e = environ; *e != nullptr; ++e)
        if (std::strncmp(*e, "TZ=", 3) != 0) env_text.emplace_back(*e);
    env_text.emplace_back("TZ=UTC");
    std::vector<char*> env;
    for (auto& e : env_text) env.push_back(e.data());
    env.push_back(nullptr);
    const pid_t parent = ::getpid();
    int out = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0 || err < 0) {
        if (out >= 0) ::close(out);
        if (err >= 0) ::close(err);
        throw std::runtime_error("cannot create " + out_file.string() + " / " + err_file.string());
    }
    // fork + exec rather than posix_spawn: the child must ask for PR_SET_PDEATHSIG before exec,
    // so that it dies with the test even when the test is killed and no destructor runs.
    pid_t pid = ::fork();
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(127);
        ::dup2(out, 1);
        ::dup2(err, 2);
        int null = ::open("/dev/null", O_RDONLY);
        if (null >= 0) ::dup2(null, 0);
        if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(127);
        ::execvpe(args[0], args.data(), env.data());
        ::_exit(127);
    }
    ::close(out);
    ::close(err);
    if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    pid_ = pid;
}

child_process::~child_process() {
    if (pid_ > 0 && !reaped_) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status_, 0);
    }
}

bool child_process::running() {
    if (reaped_) return false;
    pid_t r = ::waitpid(pid_, &status_, WNOHANG);
    if (r == pid_) reaped_ = true;
    return !reaped_;
}

void child_process::signal(int sig) {
    if (running()) ::kill(pid_, sig);
}

int child_process::wait(std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (running()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            timed_out_ = true;
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status_, 0);
            reaped_ = true;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (timed_out_ || !WIFEXITED(status_)) return -1;
    return WEXITSTATUS(status_);
}

std::string run_and_read(const std::vector<std::string>& argv, std::chrono::milliseconds limit,
                         const std::filesystem::path& scratch_dir) {
    static int serial = 0;
    const std::string tag = std::to_string(::getpid()) + "-" + std::to_string(++serial);
    auto out = scratch_dir / ("out-" + tag);
    auto err = scratch_dir / ("err-" + tag);
    int rc;
    bool late;
    {
        child_process p(argv, out, err);
        rc = p.wait(limit);
        late = p.timed_out();
    }
    std::string text = read_text(out);
    std::string errors = read_text(err);
    std::filesystem::remove(out);
    std::filesystem::remove(err);
    if (late) throw std::runtime_error(argv[0] + " did not finish in time: " + errors);
    if (rc != 0) throw std::runtime_error(argv[0] + " failed (exit " + std::to_string(rc) + "): " + errors);
    return text;
}

} // namespace factory::testing
