// Lines from a file or stdin, read in large blocks into one reused buffer. Never blocks for long
// on a pipe or terminal: it polls with a short timeout and answers `wait` when no complete line
// has arrived, so the caller can return to the host and check whether the run is stopping.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace factory::jsonl {

class line_reader {
public:
    // Every line returned is followed in the reader's buffer by at least this many readable bytes
    // (of unspecified content), so a parser that reads past the end (simdjson) can parse it in
    // place.
    static constexpr std::size_t padding = 64;

    enum class result {
        line,     // `text` is the next line, without its "\n" or "\r\n"
        too_long, // the line is longer than max_line: `text` is its first max_line bytes; the
                  // rest of it is skipped
        skipping, // a block of the rest of a too long line was read and dropped, and its end has
                  // not come yet; call again (after checking whether the run is stopping)
        wait,     // no complete line yet (input idle); call again later
        end       // end of input; every line has been returned
    };
    struct line {
        std::string_view text; // valid until the next call to next(); `padding` readable bytes follow it
        std::uint64_t number = 0; // 1-based, counting every line, blank or not
    };

    // Opens `path` for reading; "-" is stdin (left open at destruction). Throws factory::error
    // naming the path and the system's reason. `block`: bytes per read().
    explicit line_reader(const std::string& path, std::size_t block = std::size_t{1} << 20,
                         int poll_ms = 50);
    ~line_reader();
    line_reader(const line_reader&) = delete;
    line_reader& operator=(const line_reader&) = delete;

    // The longest line accepted, in bytes; sizes the buffer (allocates when it grows, so call it
    // once before reading, not per line).
    void set_max_line(std::size_t max_line);
    std::size_t max_line() const noexcept { return max_line_; }

    // The next line. Throws factory::error when reading fails (not on bad content).
    result next(line& out);

    // Gives back the line the last next() returned (result::line only), to be returned again.
    void unread() noexcept;

    // Where reading stands: the byte offset in the input of the first byte not yet returned (the
    // next line's, or inside a too long line while skipping it), and the number of the last line.
    std::uint64_t offset() const noexcept { return base_ + begin_; }
    std::uint64_t line_number() const noexcept { return number_; }
    bool skipping() const noexcept { return skipping_; }
    // True for a regular file (it can be read again from any offset); stdin, pipes and terminals
    // cannot.
    bool seekable() const noexcept { return seekable_; }
    int fd() const noexcept { return fd_; }
    const std::string& path() const noexcept { return path_; }
    // Continues at byte `offset` as if `line_number` lines had been read (and, with `skipping`,
    // inside a too long line whose rest is dropped). Regular files only; throws factory::error.
    void seek(std::uint64_t offset, std::uint64_t line_number, bool skipping);

private:
    bool read_more(); // false: nothing arrived within the poll timeout

    std::string path_;
    int fd_ = -1;
    bool own_fd_ = false;
    bool poll_ = false; // pipes, terminals, sockets: poll before read
    bool seekable_ = false;
    int poll_ms_;
    bool eof_ = false;
    bool skipping_ = false; // discarding the rest of a too long line
    std::size_t block_;
    std::size_t max_line_ = 0;
    std::vector<char> buf_;
    std::size_t begin_ = 0; // first unconsumed byte
    std::size_t scan_ = 0;  // bytes before this hold no '\n'
    std::size_t end_ = 0;   // end of data
    std::size_t last_begin_ = 0;
    std::uint64_t base_ = 0; // input offset of buf_[0]
    std::uint64_t number_ = 0;
};

} // namespace factory::jsonl
