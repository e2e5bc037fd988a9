#include "shm/segment_file.hpp"

#include "shm/segment.hpp"

#include <cerrno>
#include <csignal>
#include <cstddef>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace factory::shm::detail {
namespace {

// An open descriptor that closes itself (and so drops any lock taken through it).
class descriptor {
public:
    explicit descriptor(int fd) noexcept : fd_(fd) {}
    ~descriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    descriptor(const descriptor&) = delete;
    descriptor& operator=(const descriptor&) = delete;
    int get() const noexcept { return fd_; }

private:
    int fd_;
};

// O_NOFOLLOW: a link at the name is looked at, never followed; O_NONBLOCK: a FIFO planted there
// does not block the open.
int open_quietly(const std::string& path) noexcept {
    return ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
}

// True when the file holds a segment header with the magic; `host_pid` gets its recorded pid.
bool read_header(int fd, std::int32_t& host_pid) noexcept {
    unsigned char raw[sizeof(segment_header)];
    ssize_t n = ::pread(fd, raw, sizeof raw, 0);
    if (n != static_cast<ssize_t>(sizeof raw)) return false;
    std::uint64_t magic = 0;
    __builtin_memcpy(&magic, raw + offsetof(segment_header, magic), sizeof magic);
    __builtin_memcpy(&host_pid, raw + offsetof(segment_header, host_pid), sizeof host_pid);
    return magic == segment_magic;
}

bool alive_here(std::int32_t pid) noexcept {
    return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

// Nobody else holds the lock: the caller now does, until it closes `fd`.
bool take_lock_if_free(int fd) noexcept {
    for (;;) {
        if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return true;
        if (errno != EINTR) return false;
    }
}

} // namespace

std::string segment_path(const std::string& name) { return "/dev/shm/" + name; }

segment_file look_at(const std::string& name) {
    segment_file f;
    const std::string path = segment_path(name);
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return f;
    f.exists = true;
    f.regular = S_ISREG(st.st_mode);
    f.owner = st.st_uid;
    f.size = static_cast<std::uint64_t>(st.st_size);
    if (!f.regular) return f;
    descriptor fd(open_quietly(path));
    if (fd.get() < 0) return f;
    f.readable = true;
    f.factory = read_header(fd.get(), f.host_pid);
    f.held = !take_lock_if_free(fd.get()) && errno == EWOULDBLOCK;
    return f;
}

std::string describe(const std::string& name, const segment_file& f) {
    const std::string path = segment_path(name);
    const std::string owner = "uid " + std::to_string(f.owner);
    if (!f.exists) return path + " does not exist";
    if (!f.regular)
        return path + " is not a file (owned by " + owner + "); factory leaves it alone: remove it if nothing needs it";
    if (!f.readable)
        return path + " is a file this user cannot read (owned by " + owner + ", " + std::to_string(f.size) +
               " bytes); factory leaves it alone: its owner or root can remove it if nothing needs it";
    if (!f.factory)
        return path + " is a file that is not a factory segment (owned by " + owner + ", " + std::to_string(f.size) +
               " bytes); factory leaves it alone: remove it if nothing needs it";
    if (f.held)
        return path + " is the segment of a live run (its host recorded pid " + std::to_string(f.host_pid) +
               ", perhaps in another PID namespace that shares /dev/shm); it is left alone";
    if (f.owner != ::geteuid())
        return path + " is a segment left by an ended run of " + owner +
               "; factory leaves it alone: that user or root can remove it";
    return path + " is a segment of an ended run whose recorded host pid " + std::to_string(f.host_pid) +
           " is a live process here; factory leaves it alone: remove it once no factory run uses it";
}

bool remove_if_stale(const std::string& name) noexcept {
    try {
        const std::string path = segment_path(name);
        descriptor fd(open_quietly(path));
        if (fd.get() < 0) return false;
        struct stat st {};
        if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid()) return false;
        if (!take_lock_if_free(fd.get())) return false;
        std::int32_t host_pid = 0;
        if (!read_header(fd.get(), host_pid) || alive_here(host_pid)) return false;
        // The name must still be the file that was checked: unlink removes a name, not a file.
        struct stat now {};
        if (::lstat(path.c_str(), &now) != 0 || now.st_dev != st.st_dev || now.st_ino != st.st_ino) return false;
        return ::unlink(path.c_str()) == 0;
    } catch (...) {
        return false;
    }
}

bool hold_for_life(int fd) noexcept {
    // Blocking: another run's remove_if_stale() may hold it for the moment it takes to see that
    // this segment has no magic yet.
    for (;;) {
        if (::flock(fd, LOCK_EX) == 0) return true;
        if (errno != EINTR) return false;
    }
}

} // namespace factory::shm::detail
