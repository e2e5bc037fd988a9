#include "output_file.hpp"

#include <factory/settings.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace factory::output {
namespace {

std::string failed(const char* what, const std::string& path, int err) {
    return std::string(what) + " '" + path + "' failed: " + std::strerror(err);
}

} // namespace

output_file::output_file(const std::string& path, bool truncate, std::size_t buffer_size, bool durable)
    : path_(path), durable_(durable), threshold_(buffer_size) {
    int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0);
    fd_ = ::open(path.c_str(), flags, 0600);
    if (fd_ < 0)
        throw factory::error("cannot open '" + path + "' for writing: " + std::strerror(errno) +
                             "; check that its folder exists and is writable");
    struct stat st{};
    if (::fstat(fd_, &st) == 0) {
        seekable_ = S_ISREG(st.st_mode);
        size_at_open_ = committed_ = static_cast<std::uint64_t>(st.st_size);
    }
    buf_.reserve(threshold_ + threshold_ / 4);
}

output_file::output_file(std::size_t buffer_size)
    : path_("stdout"), fd_(STDOUT_FILENO), own_fd_(false), threshold_(buffer_size) {
    struct stat st{};
    if (::fstat(fd_, &st) == 0) {
        seekable_ = S_ISREG(st.st_mode);
        size_at_open_ = committed_ = static_cast<std::uint64_t>(st.st_size);
    }
    buf_.reserve(threshold_ + threshold_ / 4);
}

output_file::~output_file() {
    std::string why;
    close(why);
}

bool output_file::close(std::string& why) {
    if (fd_ < 0) return true;
    bool ok = flush(why);
    if (own_fd_ && ::close(fd_) != 0 && ok) {
        // NFS and some other file systems report a failed write only at close.
        why = failed("closing", path_, errno);
        ok = false;
    }
    fd_ = -1;
    return ok;
}

bool output_file::write_out(std::string& why, std::size_t& consumed) {
    std::size_t done = 0;
    while (done < buf_.size()) {
        ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        int err = n < 0 ? errno : EIO;
        why = failed("writing", path_, err);
        // Take back a partial write so the file ends on a whole product; where that is not
        // possible, what went out is gone from the buffer and the rest follows later.
        if (done > 0 && !(seekable_ && ::ftruncate(fd_, static_cast<off_t>(committed_)) == 0)) {
            buf_.erase(0, done);
            committed_ += done;
            consumed = done;
        } else {
            consumed = 0;
        }
        return false;
    }
    committed_ += done;
    consumed = done;
    buf_.clear();
    return true;
}

bool output_file::commit(std::size_t mark, std::string& why) {
    if (buf_.size() < threshold_ || fd_ < 0) return true;
    std::size_t consumed = 0;
    if (write_out(why, consumed)) return true;
    if (consumed > mark) return true; // part of this batch is out already: it was taken
    buf_.resize(mark - consumed);
    return false;
}

bool output_file::flush(std::string& why) {
    if (fd_ < 0) return buf_.empty();
    std::size_t consumed = 0;
    if (!buf_.empty() && !write_out(why, consumed)) return false;
    if (durable_ && seekable_ && ::fsync(fd_) != 0) {
        why = failed("fsync of", path_, errno);
        return false;
    }
    return true;
}

} // namespace factory::output
