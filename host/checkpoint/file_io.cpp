#include "checkpoint/file_io.hpp"

#include "checkpoint/error.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace factory::checkpoint {

std::string reason(int err, const std::filesystem::path& file) {
    if (err == ENOSPC || err == EDQUOT)
        return "the disk is full (no space left in " + file.parent_path().string() +
               "): free space there or choose another checkpoint folder";
    return std::strerror(err);
}

void fail(const char* what, const std::filesystem::path& file, int err) {
    throw checkpoint_error(std::string("cannot ") + what + " " + file.string() + ": " + reason(err, file));
}

unique_fd& unique_fd::operator=(unique_fd&& o) noexcept {
    if (this != &o) {
        close();
        fd_ = o.release();
    }
    return *this;
}

unique_fd::~unique_fd() { close(); }

int unique_fd::close() noexcept {
    if (fd_ < 0) return 0;
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc == 0 ? 0 : errno;
}

unique_fd open_file(const std::filesystem::path& file, int flags, unsigned mode) {
    const int fd = ::open(file.c_str(), flags | O_CLOEXEC, static_cast<mode_t>(mode));
    if (fd < 0) fail((flags & (O_WRONLY | O_RDWR)) != 0 ? "create" : "open", file, errno);
    return unique_fd(fd);
}

void write_all(int fd, const void* data, std::size_t n, const std::filesystem::path& file) {
    auto p = static_cast<const char*>(data);
    while (n > 0) {
        const ssize_t w = ::write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            fail("write", file, errno);
        }
        if (w == 0) fail("write", file, ENOSPC); // a zero-length write on a regular file: no room
        p += w;
        n -= static_cast<std::size_t>(w);
    }
}

void sync_dir(const std::filesystem::path& dir) {
    unique_fd fd = open_file(dir, O_RDONLY | O_DIRECTORY);
    if (::fsync(fd.get()) != 0) fail("sync the folder", dir, errno);
}

std::string read_text(const std::filesystem::path& file) {
    unique_fd fd = open_file(file, O_RDONLY);
    std::string text;
    char buf[16384];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("read", file, errno);
        }
        if (n == 0) break;
        text.append(buf, static_cast<std::size_t>(n));
    }
    return text;
}

} // namespace factory::checkpoint
