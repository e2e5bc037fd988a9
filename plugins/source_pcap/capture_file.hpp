// A capture file read record by record: classic pcap or pcapng, told apart by its first four
// bytes, over a capture_input (mapped file or stream).
//
// Damage: when the bytes at the current position cannot be a record (corrupt header or block
// length), or the file ends inside a record (a capture cut while being written), next() answers
// `damaged` once, with problem() saying what and where (byte offset) and damaged_bytes() the
// unread rest of the file (for the dead-letter output); after that it answers `end`. A file that
// is no capture at all (unknown magic, unsupported version or classic link type) is refused at
// the first read with factory::error, since nothing in it can be read.
#pragma once

#include "capture_input.hpp"
#include "capture_record.hpp"
#include "pcap_format.hpp"
#include "pcapng_format.hpp"

#include <factory/source.hpp>

#include <string>

namespace factory::pcap {

class capture_file {
public:
    enum class result { packet, wait, end, damaged };
    enum class kind { unknown, pcap, pcapng };

    // Opens the file and, when its first bytes are there (always for a regular file), reads its
    // header: throws factory::error for a file that is not a capture.
    explicit capture_file(const std::string& path);

    // The next packet. `wait`: a stream has nothing new yet, call again. `out.frame` stays valid
    // until the next call.
    result next(raw_record& out);
    // Gives back the packet the last next() returned, to be returned again (the run is stopping
    // and it could not be handed on).
    void unread() noexcept;

    const char* problem() const noexcept { return why_; }
    const std::uint8_t* damaged_data() const noexcept { return damaged_data_; }
    std::size_t damaged_size() const noexcept { return damaged_size_; }

    // Checkpoints (mapped files only: a stream cannot be read again): where reading stands and what
    // reading on from there needs (the format's state), and a check that the file is the same (a
    // hash of the 64 bytes before the offset). restore() throws factory::error naming the file when
    // the position does not fit it.
    bool resumable() const noexcept { return in_.mapped(); }
    void save(factory::position_writer& w) const;
    void restore(factory::position_reader& r);

    kind format() const noexcept { return kind_; }
    std::uint64_t offset() const noexcept { return in_.offset(); }
    const std::string& path() const noexcept { return in_.path(); }

private:
    bool detect(); // false: not enough bytes yet
    result damage(const char* what, std::size_t need);

    capture_input in_;
    kind kind_ = kind::unknown;
    pcap_format pcap_;
    pcapng_format pcapng_;
    bool mapped_;
    bool done_ = false;
    std::size_t last_size_ = 0;
    char why_[320] = {};
    const std::uint8_t* damaged_data_ = nullptr;
    std::size_t damaged_size_ = 0;
};

} // namespace factory::pcap
