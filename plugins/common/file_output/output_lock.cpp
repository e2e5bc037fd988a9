#include "output_lock.hpp"

#include <factory/exporter.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace factory::output {
namespace {

std::string read_all(int fd) {
    std::string text;
    char chunk[256];
    off_t at = 0;
    for (;;) {
        ssize_t n = ::pread(fd, chunk, sizeof chunk, at);
        if (n <= 0 || text.size() > 4096) break;
        text.append(chunk, static_cast<std::size_t>(n));
        at += n;
    }
    return text;
}

// "run <id>\npid <pid>\n" -> the value after `key`, or "".
std::string value_of(const std::string& text, const std::string& key) {
    std::size_t at = text.find(key + " ");
    if (at == std::string::npos || (at != 0 && text[at - 1] != '\n')) return "";
    at += key.size() + 1;
    return text.substr(at, text.find('\n', at) - at);
}

} // namespace

output_lock::output_lock(const std::string& output, const char* setting) : path_(output + ".lock") {
    // A device or a pipe (/dev/stdout, /dev/null) is not an output a run owns: nothing to lock.
    struct stat target{};
    if (::stat(output.c_str(), &target) == 0 && !S_ISREG(target.st_mode)) return;
    // A holder removes the lock file at close, after which a process that opened the old file
    // would lock a file nobody else sees; so the lock counts only while the path still names the
    // file that was locked.
    for (int attempt = 0;; ++attempt) {
        fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd_ < 0)
            throw factory::error(std::string("setting '") + setting + "': cannot make the lock file '" + path_ +
                                 "': " + std::strerror(errno) + "; check that its folder exists and is writable");
        if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            int err = errno;
            std::string holder = value_of(read_all(fd_), "pid");
            ::close(fd_);
            fd_ = -1;
            if (err != EWOULDBLOCK)
                throw factory::error("cannot lock '" + path_ + "': " + std::strerror(err));
            std::string who = holder == std::to_string(::getpid()) ? "another exporter of this run"
                              : holder.empty()                     ? "another run"
                                                                   : "another run (process " + holder + ")";
            throw factory::error("'" + output + "' is being written by " + who +
                                 ": wait until it ends, or write somewhere else (its lock: '" + path_ + "')");
        }
        struct stat mine{}, named{};
        if (::fstat(fd_, &mine) == 0 && ::stat(path_.c_str(), &named) == 0 && mine.st_ino == named.st_ino &&
            mine.st_dev == named.st_dev)
            break;
        ::close(fd_);
        fd_ = -1;
        if (attempt == 100) throw factory::error("cannot lock '" + path_ + "': it keeps being replaced");
    }
    const std::string run = factory::run_id();
    resumed_ = !run.empty() && value_of(read_all(fd_), "run") == run;
    const std::string text = "run " + run + "\npid " + std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
        int err = errno;
        ::unlink(path_.c_str());
        ::close(fd_);
        throw factory::error("cannot write the lock file '" + path_ + "': " + std::strerror(err));
    }
}

output_lock::~output_lock() {
    if (fd_ < 0) return;
    ::unlink(path_.c_str());
    ::close(fd_);
}

} // namespace factory::output
