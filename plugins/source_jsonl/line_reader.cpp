#include "line_reader.hpp"

#include <factory/settings.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace factory::jsonl {

line_reader::line_reader(const std::string& path, std::size_t block, int poll_ms)
    : path_(path), poll_ms_(poll_ms), block_(block < 4096 ? 4096 : block) {
    if (path == "-") {
        fd_ = STDIN_FILENO;
    } else {
        fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_ < 0)
            throw factory::error("setting 'file': cannot open '" + path + "': " + std::strerror(errno) +
                                 "; check the path and its permissions");
        own_fd_ = true;
    }
    struct stat st{};
    if (::fstat(fd_, &st) != 0) {
        int e = errno;
        if (own_fd_) ::close(fd_);
        throw factory::error("setting 'file': cannot stat '" + path + "': " + std::strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        if (own_fd_) ::close(fd_);
        throw factory::error("setting 'file': '" + path + "' is a folder; give a file of JSON lines");
    }
    // A regular file always polls readable; anything else may sit idle.
    poll_ = !S_ISREG(st.st_mode);
    seekable_ = S_ISREG(st.st_mode) && path != "-";
    set_max_line(64 * 1024);
}

line_reader::~line_reader() {
    if (own_fd_) ::close(fd_);
}

void line_reader::set_max_line(std::size_t max_line) {
    max_line_ = max_line;
    // Room for a whole block after the largest partial line kept across a read (a partial line
    // longer than max_line + 1 has already been reported and dropped).
    std::size_t want = block_ + max_line + 2 + padding;
    if (buf_.size() < want) buf_.resize(want);
}

void line_reader::unread() noexcept {
    begin_ = scan_ = last_begin_;
    --number_;
}

void line_reader::seek(std::uint64_t offset, std::uint64_t line_number, bool skipping) {
    if (!seekable_) throw factory::error("source jsonl: '" + path_ + "' cannot be read from a given offset");
    if (::lseek(fd_, static_cast<off_t>(offset), SEEK_SET) < 0)
        throw factory::error("source jsonl: cannot seek in '" + path_ + "': " + std::strerror(errno));
    base_ = offset;
    begin_ = scan_ = end_ = last_begin_ = 0;
    eof_ = false;
    number_ = line_number;
    skipping_ = skipping;
}

line_reader::result line_reader::next(line& out) {
    bool dropped_block = false;
    for (;;) {
        if (skipping_) {
            const void* nl = std::memchr(buf_.data() + begin_, '\n', end_ - begin_);
            if (nl != nullptr) {
                begin_ = scan_ = static_cast<std::size_t>(static_cast<const char*>(nl) - buf_.data()) + 1;
                skipping_ = false;
                continue;
            }
            begin_ = scan_ = end_;
            if (eof_) return result::end;
            // One block per call: a line that never ends (/dev/zero) must not keep the caller
            // from looking at whether the run is stopping.
            if (dropped_block) return result::skipping;
            if (!read_more()) return result::wait;
            dropped_block = true;
            continue;
        }
        const char* base = buf_.data();
        const void* nl = std::memchr(base + scan_, '\n', end_ - scan_);
        if (nl != nullptr || (eof_ && begin_ < end_)) {
            std::size_t stop = nl != nullptr ? static_cast<std::size_t>(static_cast<const char*>(nl) - base) : end_;
            std::size_t len = stop - begin_;
            if (len > 0 && base[begin_ + len - 1] == '\r') --len;
            last_begin_ = begin_;
            out.number = ++number_;
            out.text = std::string_view(base + begin_, len);
            begin_ = scan_ = nl != nullptr ? stop + 1 : end_;
            if (len > max_line_) {
                out.text = out.text.substr(0, max_line_);
                return result::too_long;
            }
            return result::line;
        }
        scan_ = end_;
        if (end_ - begin_ > max_line_ + 1) {
            // Too long before its end has even arrived: report it now, skip the rest.
            out.number = ++number_;
            out.text = std::string_view(base + begin_, max_line_);
            begin_ = scan_ = end_;
            skipping_ = true;
            return result::too_long;
        }
        if (eof_) return result::end;
        if (!read_more()) return result::wait;
    }
}

bool line_reader::read_more() {
    if (begin_ > 0) {
        // Keep the partial line at the front so the next block fits behind it.
        std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
        base_ += begin_;
        end_ -= begin_;
        scan_ -= begin_;
        begin_ = 0;
    }
    if (poll_) {
        pollfd p{fd_, POLLIN, 0};
        int r = ::poll(&p, 1, poll_ms_);
        if (r == 0 || (r < 0 && errno == EINTR)) return false;
        if (r < 0)
            throw factory::error("source jsonl: cannot wait for input on '" + path_ + "': " +
                                 std::strerror(errno));
    }
    ssize_t n = ::read(fd_, buf_.data() + end_, buf_.size() - padding - end_);
    if (n > 0) {
        end_ += static_cast<std::size_t>(n);
        return true;
    }
    if (n == 0) {
        eof_ = true;
        return true;
    }
    if (errno == EINTR || errno == EAGAIN) return false;
    throw factory::error("source jsonl: reading '" + path_ + "' failed: " + std::strerror(errno));
}

} // namespace factory::jsonl
