#include "checkpoint/file_io.hpp"
#include "checkpoint/snapshot.hpp"
#include "checkpoint/snapshot_format.hpp"

#include <cerrno>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace factory::checkpoint {
namespace {

// Reads fields in order from the verified bytes; a field past `end` means the writer and this
// reader disagree (the checksum matched), which is said as damage, never read out of bounds.
class cursor {
public:
    cursor(const std::byte* p, std::size_t at, std::size_t end, const std::filesystem::path& file)
        : p_(p), at_(at), end_(end), file_(file) {}
    template <class T>
    T get() {
        T v;
        std::memcpy(&v, need(sizeof v), sizeof v);
        return v;
    }
    std::string text(std::size_t n) { return std::string(reinterpret_cast<const char*>(need(n)), n); }

private:
    const std::byte* need(std::size_t n) {
        if (n > end_ - at_) throw checkpoint_error(file_.string() + ": damaged (its trailer runs past its end)");
        const std::byte* q = p_ + at_;
        at_ += n;
        return q;
    }
    const std::byte* p_;
    std::size_t at_, end_;
    const std::filesystem::path& file_;
};

} // namespace

snapshot_reader::snapshot_reader(const std::filesystem::path& path) {
    const auto bad = [&](const std::string& what) { throw checkpoint_error(path.string() + ": " + what); };

    unique_fd fd = open_file(path, O_RDONLY);
    struct stat st{};
    if (::fstat(fd.get(), &st) != 0) fail("read", path, errno);
    if (!S_ISREG(st.st_mode)) bad("not a regular file");
    const auto size = static_cast<std::size_t>(st.st_size);
    data_.reset(new std::byte[size > 0 ? size : 1]);
    for (std::size_t got = 0; got < size;) {
        const ssize_t n = ::pread(fd.get(), data_.get() + got, size - got, static_cast<off_t>(got));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail("read", path, errno);
        if (n == 0) bad("truncated while being read (" + std::to_string(got) + " of " + std::to_string(size) + " bytes)");
        got += static_cast<std::size_t>(n);
    }
    bytes_ = size;

    const std::size_t magic_seen = size < sizeof format::magic ? size : sizeof format::magic;
    if (size == 0 || std::memcmp(data_.get(), format::magic, magic_seen) != 0) bad("not a factory checkpoint snapshot");
    if (size < sizeof(format::header))
        bad("truncated (" + std::to_string(size) + " bytes, less than the " + std::to_string(sizeof(format::header)) +
            "-byte header)");
    format::header h;
    std::memcpy(&h, data_.get(), sizeof h);
    if (h.version != format_version)
        bad("format version " + std::to_string(h.version) + ", this factory-host reads " + std::to_string(format_version));
    if (h.file_bytes == 0) bad("unfinished (its writer never completed it)");
    if (size < h.file_bytes)
        bad("truncated (" + std::to_string(size) + " of " + std::to_string(h.file_bytes) + " bytes)");
    if (size > h.file_bytes)
        bad(std::to_string(size) + " bytes, more than the " + std::to_string(h.file_bytes) + " its header says");
    const std::size_t first = format::pad8(sizeof h + h.name_bytes + h.version_bytes);
    if (size < first + sizeof(format::footer)) bad("damaged (too short for its own header)");

    format::footer f;
    std::memcpy(&f, data_.get() + size - sizeof f, sizeof f);
    if (std::memcmp(f.end_magic, format::end_magic, sizeof f.end_magic) != 0 || f.file_bytes != size)
        bad("damaged (its end marker is missing)");
    hasher whole;
    whole.add(data_.get(), format::file_bytes_offset);
    const std::uint64_t zero = 0;
    whole.add(&zero, sizeof zero);
    const std::size_t after = format::file_bytes_offset + sizeof zero;
    whole.add(data_.get() + after, size - sizeof f + format::hashed_footer_bytes - after);
    whole.add(&f.file_bytes, sizeof f.file_bytes);
    if (whole.value() != f.checksum) bad("checksum mismatch (the file is damaged)");
    checksum_ = f.checksum;

    part_ = static_cast<part>(h.part);
    index_ = h.index;
    epoch_ = h.epoch;
    blueprint_.layout = h.layout;
    blueprint_.state_size = h.state_size;
    blueprint_.state_align = h.state_align;
    cursor names(data_.get(), sizeof h, first, path);
    blueprint_.name = names.text(h.name_bytes);
    blueprint_.version = names.text(h.version_bytes);

    const std::size_t trailer_end = size - sizeof f;
    if (f.trailer_offset < first || f.trailer_offset > trailer_end) bad("damaged (its trailer is out of place)");
    cursor t(data_.get(), static_cast<std::size_t>(f.trailer_offset), trailer_end, path);
    clock_ns_ = t.get<std::int64_t>();
    workers_ = t.get<std::uint64_t>();
    const auto counter_count = t.get<std::uint32_t>();
    const auto blob_bytes = t.get<std::uint32_t>();
    counters_.reserve(counter_count < 4096 ? counter_count : 4096);
    for (std::uint32_t i = 0; i < counter_count; ++i) {
        std::string name = t.text(t.get<std::uint16_t>());
        counters_.emplace_back(std::move(name), t.get<std::uint64_t>());
    }
    blob_ = t.text(blob_bytes);

    records_begin_ = first;
    record_bytes_ = sizeof(worker_record) + format::pad8(h.state_size);
    if ((f.trailer_offset - first) / record_bytes_ != workers_ || (f.trailer_offset - first) % record_bytes_ != 0)
        bad("damaged (" + std::to_string(workers_) + " workers do not fill its worker records)");
}

} // namespace factory::checkpoint
