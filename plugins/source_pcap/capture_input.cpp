#include "capture_input.hpp"

#include <factory/settings.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace factory::pcap {
namespace {

constexpr std::size_t stream_block = std::size_t{1} << 20;
// Pages are mapped in ahead of the reader this many bytes at a time: one system call per window
// instead of a page fault every 16 pages, without mapping a huge file all at once at open.
constexpr std::size_t populate_window = std::size_t{8} << 20;

} // namespace

capture_input::capture_input(const std::string& path, int poll_ms) : path_(path), poll_ms_(poll_ms) {
    if (path == "-") {
        fd_ = STDIN_FILENO;
    } else {
        fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_ < 0)
            throw factory::error("source pcap: cannot open '" + path + "': " + std::strerror(errno) +
                                 "; check the path and its permissions");
        own_fd_ = true;
    }
    // The destructor does not run when the constructor throws: close what was opened first. The
    // message is built (strerror read) before close() can change errno.
    auto fail = [this](const std::string& message) {
        if (own_fd_) ::close(fd_);
        throw factory::error(message);
    };
    struct stat st {};
    if (::fstat(fd_, &st) != 0) fail("source pcap: cannot stat '" + path + "': " + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) fail("source pcap: '" + path + "' is a folder; give a pcap or pcapng file");
    if (S_ISREG(st.st_mode) && st.st_size > 0) {
        map_size_ = static_cast<std::size_t>(st.st_size);
        map_ = ::mmap(nullptr, map_size_, PROT_READ, MAP_PRIVATE, fd_, 0);
        if (map_ == MAP_FAILED) {
            map_ = nullptr;
            fail("source pcap: cannot map '" + path + "': " + std::strerror(errno));
        }
        // One pass from front to back: read ahead generously and drop pages behind.
        ::madvise(map_, map_size_, MADV_SEQUENTIAL);
        base_ = static_cast<const std::uint8_t*>(map_);
        prefetched_ = populated_ = base_;
        end_ = map_size_;
        eof_ = true;
    } else if (S_ISREG(st.st_mode)) {
        eof_ = true; // an empty file
        base_ = buf_.data();
    }
}

void capture_input::populate() noexcept {
    const std::uint8_t* end = base_ + end_;
    const std::uint8_t* from = populated_;
    std::size_t len = static_cast<std::size_t>(end - from) < 2 * populate_window ? static_cast<std::size_t>(end - from)
                                                                                  : 2 * populate_window;
    populated_ = from + len;
    if (!can_populate_ || len == 0) return;
    // madvise wants a page-aligned start; the mapping itself is page-aligned.
    const auto page_mask = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE) - 1);
    const auto start = reinterpret_cast<std::uintptr_t>(from) & ~page_mask;
    len += reinterpret_cast<std::uintptr_t>(from) - start;
#ifdef MADV_POPULATE_READ
    // Older kernels answer EINVAL: then page faults map the pages as they are touched.
    if (::madvise(reinterpret_cast<void*>(start), len, MADV_POPULATE_READ) != 0 && errno == EINVAL)
        can_populate_ = false;
#else
    can_populate_ = false;
#endif
}

capture_input::~capture_input() {
    if (map_ != nullptr) ::munmap(map_, map_size_);
    if (own_fd_) ::close(fd_);
}

capture_input::more capture_input::want(std::size_t n) {
    while (available() < n) {
        if (eof_) return more::end;
        if (begin_ > 0) {
            // Keep the partial record at the front so the next block lands behind it.
            std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
            end_ -= begin_;
            begin_ = 0;
        }
        if (buf_.size() < n + stream_block) buf_.resize(n + stream_block);
        base_ = buf_.data();
        pollfd p{fd_, POLLIN, 0};
        const int r = ::poll(&p, 1, poll_ms_);
        if (r == 0 || (r < 0 && errno == EINTR)) return more::wait;
        if (r < 0) throw factory::error("source pcap: cannot wait for '" + path_ + "': " + std::strerror(errno));
        const ssize_t got = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
        if (got > 0) {
            end_ += static_cast<std::size_t>(got);
        } else if (got == 0) {
            eof_ = true;
        } else if (errno == EINTR || errno == EAGAIN) {
            return more::wait;
        } else {
            throw factory::error("source pcap: reading '" + path_ + "' failed: " + std::strerror(errno));
        }
    }
    return more::ready;
}

} // namespace factory::pcap
