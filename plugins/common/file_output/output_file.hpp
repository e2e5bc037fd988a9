// One output written through a large buffer, for the file exporters (jsonl, csv, stdout).
//
// A batch is rendered into buffer() and then commit()ted: the buffer goes to the OS when it holds
// `buffer_size` bytes or more. A failed write never leaves part of a product behind: on a regular
// file the file is cut back to its last whole write (ftruncate); on a pipe or terminal, which
// cannot be cut back, bytes already out stay out and the rest waits in the buffer. commit() then
// drops the batch from the buffer (unless some of it is already out: then the batch counts as
// taken), so the exporter can answer retry with nothing taken.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace factory::output {

class output_file {
public:
    // Opens `path` for appending (emptying it first when `truncate`), creating it with mode 0600.
    // Throws factory::error naming the path and the system's reason.
    output_file(const std::string& path, bool truncate, std::size_t buffer_size, bool durable);
    // Standard output (not closed at the end).
    explicit output_file(std::size_t buffer_size);
    // Calls close(); a failure there is silent (call close() first to hear of it).
    ~output_file();
    output_file(const output_file&) = delete;
    output_file& operator=(const output_file&) = delete;

    // Where to render products; keep its size() before a batch as the batch's mark.
    std::string& buffer() noexcept { return buf_; }

    // Ends a batch that began at `mark`: true when it was taken. false: nothing of it was taken
    // and `why` says what failed ("writing 'x' failed: No space left on device").
    bool commit(std::size_t mark, std::string& why);

    // Writes the buffer out, and with `durable` makes it reach the disk (fsync). false: `why`.
    bool flush(std::string& why);

    // Writes what is left in the buffer and closes the file. false: `why`, and the bytes still
    // buffered (pending()) are lost. Later calls do nothing.
    bool close(std::string& why);

    const std::string& path() const noexcept { return path_; }
    // True when the file held no bytes when it was opened (after truncation): a CSV header is due.
    bool was_empty() const noexcept { return size_at_open_ == 0; }
    std::size_t pending() const noexcept { return buf_.size(); }

private:
    bool write_out(std::string& why, std::size_t& consumed);

    std::string path_;
    int fd_ = -1;
    bool own_fd_ = true;
    bool seekable_ = false;
    bool durable_ = false;
    std::size_t threshold_;
    std::uint64_t size_at_open_ = 0;
    std::uint64_t committed_ = 0; // file size after the last whole write
    std::string buf_;
};

} // namespace factory::output
