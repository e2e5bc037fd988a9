// One output written through a large buffer, for the file exporters (jsonl, csv, stdout).
//
// A batch is rendered into buffer() and then commit()ted: the buffer goes to the OS when it holds
// `buffer_size` bytes or more. A failed write never leaves part of a product behind: on a regular
// file the file is cut back to its last whole write (ftruncate); on a pipe or terminal, which
// cannot be cut back, bytes already out stay out and the rest waits in the buffer. commit() then
// drops the batch from the buffer (unless some of it is already out: then the batch counts as
// taken), so the exporter can answer retry with nothing taken.
//
// A file removed while it is written (its link count is 0: deleted, or its folder was) is found at
// flush: what it was given since the last flush is unreachable, so flush() fails and lost() says
// so; the exporter answers error (the products go to the dead-letter output with that reason)
// and reopen() makes the file afresh for the batches that follow.
#pragma once

#include <factory/plugin.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace factory::output {

class output_file {
public:
    // Opens `path` for appending, creating it with mode 0600 (what to do with one that exists is
    // apply_mode()'s decision, made before). Throws factory::error naming the path and the
    // system's reason.
    output_file(const std::string& path, std::size_t buffer_size, bool durable);
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

    // Writes the buffer out, and with `durable` makes it reach the disk (fsync). false: `why`
    // (and lost() when the file was removed: the buffer is dropped then, as it cannot be kept).
    bool flush(std::string& why);

    // True once flush() found the file removed (later flushes have nothing to write and
    // succeed); reopen() makes it afresh.
    bool lost() const noexcept { return lost_; }
    // Opens the path again (creating it) after the file was lost. false: `why`, still lost.
    bool reopen(std::string& why);

    // Writes what is left in the buffer and closes the file. false: `why`, and the bytes still
    // buffered (pending()) are lost. Later calls do nothing.
    bool close(std::string& why);

    const std::string& path() const noexcept { return path_; }
    // True while the file is empty and nothing is buffered for it: a CSV header is due.
    bool untouched() const noexcept { return committed_ == 0 && buf_.empty(); }
    std::size_t pending() const noexcept { return buf_.size(); }

private:
    bool write_out(std::string& why, std::size_t& consumed);
    void open_path(); // throws factory::error

    std::string path_;
    int fd_ = -1;
    bool own_fd_ = true;
    bool seekable_ = false;
    bool durable_ = false;
    std::size_t threshold_;
    bool lost_ = false;
    std::uint64_t committed_ = 0; // file size after the last whole write
    std::string buf_;
};

// Logs, through the host, that an exporter's file could not be closed whole and what was lost.
// For destructors: never throws.
void report_close_failure(const factory::host& host, const char* exporter, const std::string& why) noexcept;

} // namespace factory::output
