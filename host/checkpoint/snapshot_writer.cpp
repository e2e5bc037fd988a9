#include "checkpoint/file_io.hpp"
#include "checkpoint/snapshot.hpp"
#include "checkpoint/snapshot_format.hpp"

#include <algorithm>
#include <cerrno>

#include <fcntl.h>
#include <unistd.h>

namespace factory::checkpoint {
namespace {

// Large enough that a million workers of 32-byte state take ~16 write() calls, small enough for
// one per workshop process.
constexpr std::size_t buffer_bytes = std::size_t{4} << 20;

constexpr std::byte zeros[8] = {};

} // namespace

std::string to_string(part p) {
    switch (p) {
    case part::purchasing: return "purchasing";
    case part::workshop: return "workshop";
    case part::transportation: return "transportation";
    }
    return "part " + std::to_string(static_cast<std::uint32_t>(p));
}

bool operator==(const blueprint_identity& a, const blueprint_identity& b) {
    return a.name == b.name && a.version == b.version && a.state_size == b.state_size &&
           a.state_align == b.state_align && a.layout == b.layout;
}

snapshot_writer::snapshot_writer(const std::filesystem::path& path, part what, std::uint32_t index,
                                 std::uint64_t epoch, const blueprint_identity& bp)
    : path_(path), temp_(path.parent_path() / ("." + path.filename().string() + ".tmp")),
      state_size_(bp.state_size), record_bytes_(sizeof(worker_record) + format::pad8(bp.state_size)) {
    if (bp.name.size() > 0xffff || bp.version.size() > 0xffff)
        throw checkpoint_error("cannot write " + path.string() + ": the blueprint's name or version is over 65535 bytes");
    capacity_ = buffer_bytes;
    buffer_.reset(new std::byte[capacity_]);
    fd_ = open_file(temp_, O_WRONLY | O_CREAT | O_TRUNC).release();

    format::header h{};
    std::memcpy(h.magic, format::magic, sizeof h.magic);
    h.version = format_version;
    h.part = static_cast<std::uint32_t>(what);
    h.file_bytes = 0;
    h.epoch = epoch;
    h.layout = bp.layout;
    h.index = index;
    h.state_size = bp.state_size;
    h.state_align = bp.state_align;
    h.name_bytes = static_cast<std::uint16_t>(bp.name.size());
    h.version_bytes = static_cast<std::uint16_t>(bp.version.size());
    append(&h, sizeof h);
    append(bp.name.data(), bp.name.size());
    append(bp.version.data(), bp.version.size());
    append(zeros, format::pad8(used_) - used_);
}

snapshot_writer::~snapshot_writer() {
    if (fd_ >= 0) ::close(fd_);
    if (!finished_) ::unlink(temp_.c_str());
}

void snapshot_writer::set_clock(std::int64_t now_ns) { clock_ns_ = now_ns; }

void snapshot_writer::set_counters(const counters& c) {
    for (const auto& [name, value] : c)
        if (name.size() > 0xffff)
            throw checkpoint_error("cannot write " + path_.string() + ": counter name over 65535 bytes");
    counters_ = c;
}

void snapshot_writer::set_blob(const void* data, std::size_t n) {
    if (n > max_blob_bytes)
        throw checkpoint_error("cannot write " + path_.string() + ": the source position is " + std::to_string(n) +
                               " bytes, more than the " + std::to_string(max_blob_bytes) + " a checkpoint keeps");
    blob_.assign(static_cast<const char*>(data), n);
}

void snapshot_writer::check_usable() const {
    if (finished_) throw checkpoint_error("cannot write " + path_.string() + ": already finished");
    if (failed_) throw checkpoint_error("cannot write " + path_.string() + ": an earlier write failed");
}

void snapshot_writer::add_worker_slow(std::uint64_t pid, std::int64_t hired_ns, std::int64_t last_seen_ns,
                                      std::uint32_t materials, const void* state) {
    check_usable();
    const worker_record r{pid, hired_ns, last_seen_ns, materials, state_size_};
    append(&r, sizeof r);
    for (std::size_t done = 0; state == nullptr && done < state_size_; done += sizeof zeros)
        append(zeros, std::min(sizeof zeros, state_size_ - done));
    if (state != nullptr) append(state, state_size_);
    append(zeros, record_bytes_ - sizeof r - state_size_);
    ++workers_;
}

void snapshot_writer::add_encoded(const std::byte* data, std::size_t bytes, std::uint64_t workers) {
    check_usable();
    if (bytes != workers * record_bytes_)
        throw checkpoint_error("cannot write " + path_.string() + ": " + std::to_string(bytes) + " bytes are not " +
                               std::to_string(workers) + " workers of " + std::to_string(record_bytes_));
    append(data, bytes);
    workers_ += workers;
}

void snapshot_writer::append(const void* data, std::size_t n) {
    auto p = static_cast<const std::byte*>(data);
    while (n > 0) {
        if (used_ == capacity_) flush();
        const std::size_t take = n < capacity_ - used_ ? n : capacity_ - used_;
        std::memcpy(buffer_.get() + used_, p, take);
        used_ += take;
        p += take;
        n -= take;
    }
}

void snapshot_writer::flush() {
    if (used_ == 0) return;
    hash_.add(buffer_.get(), used_);
    try {
        write_all(fd_, buffer_.get(), used_, temp_);
    } catch (...) {
        failed_ = true;
        throw;
    }
    written_ += used_;
    used_ = 0;
}

snapshot_writer::result snapshot_writer::finish() {
    check_usable();
    result out;
    try {
        const std::uint64_t trailer_offset = written_ + used_;
        const std::uint64_t workers = workers_;
        const auto counter_count = static_cast<std::uint32_t>(counters_.size());
        const auto blob_bytes = static_cast<std::uint32_t>(blob_.size());
        append(&clock_ns_, sizeof clock_ns_);
        append(&workers, sizeof workers);
        append(&counter_count, sizeof counter_count);
        append(&blob_bytes, sizeof blob_bytes);
        for (const auto& [name, value] : counters_) {
            const auto name_bytes = static_cast<std::uint16_t>(name.size());
            append(&name_bytes, sizeof name_bytes);
            append(name.data(), name.size());
            append(&value, sizeof value);
        }
        append(blob_.data(), blob_.size());
        const std::uint64_t at = written_ + used_;
        append(zeros, format::pad8(at) - at);

        format::footer f{};
        f.trailer_offset = trailer_offset;
        f.file_bytes = written_ + used_ + sizeof f;
        std::memcpy(f.end_magic, format::end_magic, sizeof f.end_magic);
        append(&f, format::hashed_footer_bytes);
        flush();
        hasher whole = hash_;
        whole.add(&f.file_bytes, sizeof f.file_bytes);
        f.checksum = whole.value();
        write_all(fd_, reinterpret_cast<const std::byte*>(&f) + format::hashed_footer_bytes,
                  sizeof f - format::hashed_footer_bytes, temp_);

        // The header's length last: a file cut short anywhere says how long it should have been.
        if (::pwrite(fd_, &f.file_bytes, sizeof f.file_bytes, format::file_bytes_offset) !=
            static_cast<ssize_t>(sizeof f.file_bytes))
            fail("write", temp_, errno);
        if (::fdatasync(fd_) != 0) fail("sync", temp_, errno);
        const int fd = fd_;
        fd_ = -1;
        if (::close(fd) != 0) fail("close", temp_, errno);
        if (::rename(temp_.c_str(), path_.c_str()) != 0)
            throw checkpoint_error("cannot rename " + temp_.string() + " to " + path_.string() + ": " +
                                   reason(errno, path_));
        out = {f.file_bytes, f.checksum, workers_};
    } catch (...) {
        failed_ = true;
        throw;
    }
    finished_ = true;
    return out;
}

} // namespace factory::checkpoint
