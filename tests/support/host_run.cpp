#include "support/host_run.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace factory::testing {

std::filesystem::path fresh_dir(const std::string& name) {
    std::random_device rd;
    auto dir = std::filesystem::temp_directory_path() /
               ("factory-test-" + name + "-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

std::vector<nlohmann::json> read_jsonl(const std::filesystem::path& file) {
    std::vector<nlohmann::json> rows;
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
    return rows;
}

bool segment_exists_for(pid_t host_pid) {
    return std::filesystem::exists("/dev/shm/factory-" + std::to_string(host_pid));
}

pid_t find_child(pid_t host_pid, const std::string& title) {
    for (const auto& e : std::filesystem::directory_iterator("/proc")) {
        std::string name = e.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream stat(e.path() / "stat");
        std::string line;
        std::getline(stat, line);
        auto close = line.rfind(')');
        if (close == std::string::npos) continue;
        std::istringstream rest(line.substr(close + 2));
        char state;
        pid_t ppid = 0;
        rest >> state >> ppid;
        if (ppid != host_pid) continue;
        std::ifstream cmd(e.path() / "cmdline");
        std::string argv0;
        std::getline(cmd, argv0, '\0');
        if (argv0 == title) return static_cast<pid_t>(std::stol(name));
    }
    return 0;
}

host_result run_host(std::vector<std::string> args, const host_options& opt) {
    auto cwd = opt.cwd.empty() ? fresh_dir("run") : opt.cwd;
    std::filesystem::path summary;
    bool has_summary = false;
    for (const auto& a : args) has_summary = has_summary || a == "--summary-json";
    if (!has_summary && opt.summary) {
        // One file per call: runs that share a folder (hosts of one group, started together) must
        // not read each other's summary, nor a later run an earlier one's.
        static std::atomic<unsigned> calls{0};
        summary = cwd / ("summary-" + std::to_string(++calls) + ".json");
        args.push_back("--summary-json");
        args.push_back(summary.string());
    }
    int in_pipe[2], out_pipe[2], err_pipe[2];
    if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0)
        throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in_pipe[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
    posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
    std::vector<char*> argv;
    std::string exe = FACTORY_HOST_EXE;
    argv.push_back(exe.data());
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    if (opt.own_process_group) {
        posix_spawnattr_setpgroup(&attr, 0);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    }
    pid_t pid = 0;
    int rc = posix_spawn(&pid, exe.c_str(), &fa, &attr, argv.data(), environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    ::close(in_pipe[0]);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    if (rc != 0) throw std::runtime_error(std::string("cannot start factory-host: ") + std::strerror(rc));
    if (!opt.stdin_text.empty()) {
        std::size_t off = 0;
        while (off < opt.stdin_text.size()) {
            ssize_t n = ::write(in_pipe[1], opt.stdin_text.data() + off, opt.stdin_text.size() - off);
            if (n <= 0) break;
            off += static_cast<std::size_t>(n);
        }
    }
    ::close(in_pipe[1]);

    host_result r;
    auto deadline = std::chrono::steady_clock::now() + opt.timeout;
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    int open_fds = 2;
    while (open_fds > 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            r.timed_out = true;
            ::kill(pid, SIGKILL);
            break;
        }
        int n = ::poll(fds, 2, static_cast<int>(std::min<long>(left.count(), 200)));
        if (n < 0 && errno != EINTR) break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
            char buf[65536];
            ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
            if (got <= 0) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open_fds;
                continue;
            }
            (i == 0 ? r.out : r.err).append(buf, static_cast<std::size_t>(got));
            if (i == 1 && opt.on_output) opt.on_output(pid, r.err);
        }
    }
    for (auto& f : fds)
        if (f.fd >= 0) ::close(f.fd);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
    if (!summary.empty() && std::filesystem::exists(summary)) {
        std::ifstream in(summary);
        r.summary = nlohmann::json::parse(in, nullptr, false);
    }
    if (segment_exists_for(pid)) r.err += "\n[test] /dev/shm/factory-" + std::to_string(pid) + " was left behind\n";
    return r;
}

} // namespace factory::testing
