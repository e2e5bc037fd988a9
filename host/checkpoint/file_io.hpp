// The few POSIX file operations the checkpoint files need, each throwing checkpoint_error with a
// message that names the file and gives the system's reason. A full disk (ENOSPC, EDQUOT) is
// said in words, with the folder to free, because that is what a user can act on.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

namespace factory::checkpoint {

// "the disk is full (no space left in FOLDER): free space there or choose another checkpoint
// folder" for ENOSPC/EDQUOT, strerror(err) otherwise.
std::string reason(int err, const std::filesystem::path& file);

// Throws checkpoint_error "cannot <what> <file>: <reason>".
[[noreturn]] void fail(const char* what, const std::filesystem::path& file, int err);

// An owned file descriptor, closed on destruction.
class unique_fd {
public:
    unique_fd() = default;
    explicit unique_fd(int fd) noexcept : fd_(fd) {}
    unique_fd(unique_fd&& o) noexcept : fd_(o.release()) {}
    unique_fd& operator=(unique_fd&& o) noexcept;
    ~unique_fd();
    int get() const noexcept { return fd_; }
    int release() noexcept { int fd = fd_; fd_ = -1; return fd; }
    // Closes now; returns errno of a failed close, 0 otherwise.
    int close() noexcept;

private:
    int fd_ = -1;
};

unique_fd open_file(const std::filesystem::path& file, int flags, unsigned mode = 0600);
void write_all(int fd, const void* data, std::size_t n, const std::filesystem::path& file);
// Makes the folder's entries (a rename, a new file) durable.
void sync_dir(const std::filesystem::path& dir);
// The whole file; throws naming it when it cannot be read.
std::string read_text(const std::filesystem::path& file);

} // namespace factory::checkpoint
