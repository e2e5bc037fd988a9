// The bytes of a capture file as one window that the readers walk: a regular file is mapped
// whole (no copy, no read() per record: the fast path); anything else (stdin "-", a pipe, a FIFO)
// is read in large blocks into a buffer that keeps the unconsumed tail.
//
//   capture_input in(path);
//   while (in.want(16) == capture_input::more::ready) { ... in.data() ... in.consume(n); }
//
// Thread rules: one thread. Errors (open, map, read) throw factory::error naming the file and
// saying what to do.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace factory::pcap {

class capture_input {
public:
    enum class more {
        ready, // at least the bytes asked for are available
        wait,  // a stream has not delivered them yet (nothing arrived within the poll timeout)
        end,   // the input ends before that many bytes: available() is all there is
    };

    // Opens `path` ("-": stdin). `poll_ms`: how long want() waits on an idle stream.
    explicit capture_input(const std::string& path, int poll_ms = 50);
    ~capture_input();
    capture_input(const capture_input&) = delete;
    capture_input& operator=(const capture_input&) = delete;

    // The first unconsumed byte, and how many follow it in the window.
    const std::uint8_t* data() const noexcept { return base_ + begin_; }
    std::size_t available() const noexcept { return end_ - begin_; }
    // The file offset of data().
    std::uint64_t offset() const noexcept { return consumed_total_; }
    void consume(std::size_t n) noexcept {
        begin_ += n;
        consumed_total_ += n;
    }
    // Takes back the last n consumed bytes; only before the next want() (which may move them).
    void unconsume(std::size_t n) noexcept {
        begin_ -= n;
        consumed_total_ -= n;
    }

    // Makes at least n bytes available if the input has them. A mapped file answers at once.
    more want(std::size_t n);

    // Mapped files: asks the CPU to fetch the bytes up to `distance` past data() into its cache.
    // A reader touches only the headers of each record, so the hardware prefetcher, which stops
    // at page boundaries, leaves it waiting for memory on nearly every record; fetching the whole
    // stream ahead costs a few instructions per record and hides that wait. Pages are mapped in
    // windows ahead of the reader (populate()), since a prefetch of an unmapped page is dropped.
    void prefetch(std::size_t distance) noexcept {
        const std::uint8_t* target = data() + distance;
        const std::uint8_t* end = base_ + end_;
        if (target > end) target = end;
        if (target > populated_) populate();
        while (prefetched_ < target) {
            __builtin_prefetch(prefetched_);
            prefetched_ += 64;
        }
    }

    bool mapped() const noexcept { return map_ != nullptr; }
    // Mapped files: the whole file's bytes, for checks that look behind the reader.
    const std::uint8_t* map_data() const noexcept { return base_; }
    std::size_t map_size() const noexcept { return map_size_; }
    // Mapped files: continue at byte `offset` (at most map_size()).
    void seek_to(std::uint64_t offset) noexcept {
        begin_ = static_cast<std::size_t>(offset);
        consumed_total_ = offset;
        prefetched_ = populated_ = base_ + begin_;
    }
    const std::string& path() const noexcept { return path_; }

private:
    void populate() noexcept;

    std::string path_;
    int fd_ = -1;
    bool own_fd_ = false;
    int poll_ms_;
    void* map_ = nullptr;
    std::size_t map_size_ = 0;
    std::vector<std::uint8_t> buf_;
    const std::uint8_t* base_ = nullptr;
    std::size_t begin_ = 0, end_ = 0;
    std::uint64_t consumed_total_ = 0;
    const std::uint8_t* prefetched_ = nullptr; // mapped: bytes before this have been prefetched
    const std::uint8_t* populated_ = nullptr;  // mapped: pages before this are mapped in
    bool can_populate_ = true;
    bool eof_ = false;
};

} // namespace factory::pcap
