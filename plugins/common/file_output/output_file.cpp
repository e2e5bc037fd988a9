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

output_file::output_file(const std::string& path, std::size_t buffer_size, bool durable)
    : path_(path), durable_(durable), threshold_(buffer_size) {
    open_path();
    buf_.reserve(threshold_ + threshold_ / 4);
}

void output_file::open_path() {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd_ < 0)
        throw factory::error("cannot open '" + path_ + "' for writing: " + std::strerror(errno) +
                             "; check that its folder exists and is writable");
    struct stat st{};
    if (::fstat(fd_, &st) == 0) {
        seekable_ = S_ISREG(st.st_mode);
        committed_ = static_cast<std::uint64_t>(st.st_size);
    }
}

output_file::output_file(std::size_t buffer_size)
    : path_("stdout"), fd_(STDOUT_FILENO), own_fd_(false), threshold_(buffer_size) {
    struct stat st{};
    if (::fstat(fd_, &st) == 0) {
        seekable_ = S_ISREG(st.st_mode);
        committed_ = static_cast<std::uint64_t>(st.st_size);
    }
    buf_.reserve(threshold_ + threshold_ / 4);
}

bool output_file::reopen(std::string& why) {
    if (!lost_) return true;
    try {
        open_path();
    } catch (const std::exception& e) {
        why = e.what();
        return false;
    }
    lost_ = false;
    return true;
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
    // A lost file holds nothing (batches reopen it before they are buffered): nothing to flush.
    if (lost_) return true;
    if (fd_ < 0) return buf_.empty();
    // One fstat per file and flush: a file removed under the run (deleted, or its folder) takes
    // what it is given into an inode nobody can open, so it must be found before it is trusted.
    struct stat st{};
    if (own_fd_ && seekable_ && ::fstat(fd_, &st) == 0 && st.st_nlink == 0) {
        why = "'" + path_ + "' was deleted (or its folder was) while the run wrote it; what it took since the "
              "last flush is unreachable";
        lost_ = true;
        buf_.clear();
        ::close(fd_);
        fd_ = -1;
        return false;
    }
    std::size_t consumed = 0;
    if (!buf_.empty() && !write_out(why, consumed)) return false;
    if (durable_ && seekable_ && ::fsync(fd_) != 0) {
        why = failed("fsync of", path_, errno);
        return false;
    }
    return true;
}

void report_close_failure(const factory::host& host, const char* exporter, const std::string& why) noexcept {
    try {
        host.log(factory::log_level::error,
                 std::string("exporter ") + exporter + ": " + why + " at close; the products still buffered are lost");
    } catch (...) {
        // Nothing more can be done from a destructor.
    }
}

} // namespace factory::output
