#include "jsonl_source.hpp"

#include <factory/hash.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace factory::jsonl {
namespace {

bool blank(std::string_view s) noexcept {
    for (char c : s)
        if (c != ' ' && c != '\t') return false;
    return true;
}

static_assert(line_reader::padding >= key_rule::padding);

// Blocks (1 MiB each) of a too long line one fill() drops before it returns to the host.
constexpr unsigned max_skipped_blocks = 64;

} // namespace

jsonl_source::jsonl_source(const factory::settings& s, factory::host h)
    : source(h), reader_(s.string("file")),
      rule_(s.text("key"), s.text("time"), s.text("time_unit"), s.text("check")) {
    if (const factory_pclass* layout = host().material_layout(); layout != nullptr && s.boolean("typed")) {
        decoder_ = std::make_unique<record_decoder>(*layout, rule_.time_exp(), s.text("rename"));
        rule_.decode_into(decoder_.get());
    }
}

factory::fill_result jsonl_source::on_fill(factory::filler& f) {
    // The largest material is the host's to say; it is the same on every call in practice, so
    // this sizes the buffer once.
    if (reader_.max_line() != f.max_size()) {
        reader_.set_max_line(f.max_size());
        rule_.reserve(f.max_size());
    }
    const std::uint32_t room = f.room();
    std::uint32_t added = 0;
    char why[192];
    char reason[256];
    line_reader::line ln;
    unsigned skipped_blocks = 0;
    while (added < room) {
        switch (reader_.next(ln)) {
        case line_reader::result::end: return factory::fill_result::end;
        case line_reader::result::wait: return factory::fill_result::more;
        case line_reader::result::skipping:
            // A line without an end (/dev/zero) is dropped a block at a time, looking at the stop
            // between blocks, so a SIGTERM or --duration is honoured mid-line; the budget keeps
            // one call short enough for the host's heartbeat.
            if (++skipped_blocks < max_skipped_blocks && !host().stopping()) continue;
            return factory::fill_result::more;
        case line_reader::result::too_long:
            std::snprintf(reason, sizeof reason, "line %llu: longer than the largest material (%u bytes)",
                          static_cast<unsigned long long>(ln.number), f.max_size());
            f.reject(reason, ln.text.data(), ln.text.size());
            continue;
        case line_reader::result::line: break;
        }
        if (blank(ln.text)) continue;
        std::uint64_t pid = 0;
        std::int64_t time_ns = 0;
        // The reader leaves padding after every line: simdjson parses it in place.
        if (!rule_.read(ln.text, ln.text.size() + line_reader::padding, pid, time_ns, why, sizeof why)) {
            std::snprintf(reason, sizeof reason, "line %llu: %s",
                          static_cast<unsigned long long>(ln.number), why);
            f.reject(reason, ln.text.data(), ln.text.size());
            continue;
        }
        const bool typed = decoder_ != nullptr;
        const void* payload = typed ? decoder_->record() : ln.text.data();
        const auto size = typed ? decoder_->record_size() : static_cast<std::uint32_t>(ln.text.size());
        void* out = f.add(pid, time_ns, typed ? FACTORY_FORMAT_RECORD : FACTORY_FORMAT_JSON, size);
        if (out == nullptr) {
            // The run is stopping: keep the line, so that nothing read is silently dropped.
            reader_.unread();
            return factory::fill_result::more;
        }
        std::memcpy(out, payload, size);
        ++added;
    }
    return factory::fill_result::more;
}

namespace {

constexpr std::uint32_t position_magic = 0x4a534c31; // "JSL1"
constexpr std::uint64_t checked_bytes = 64;

// FNV-1a of the up to 64 bytes of `fd` before `offset`, read with pread (the reader's own offset
// stays where it is).
std::uint64_t hash_before(int fd, std::uint64_t offset, const std::string& path) {
    char bytes[checked_bytes];
    const std::uint64_t n = offset < checked_bytes ? offset : checked_bytes;
    std::size_t got = 0;
    while (got < n) {
        const ssize_t r = ::pread(fd, bytes + got, n - got, static_cast<off_t>(offset - n + got));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0)
            throw factory::error("source jsonl: cannot read '" + path + "' to check it: " +
                                 (r < 0 ? std::strerror(errno) : "it is shorter than expected"));
        got += static_cast<std::size_t>(r);
    }
    return factory::fnv1a(std::string_view(bytes, n));
}

std::uint64_t size_of(int fd, const std::string& path) {
    struct stat st{};
    if (::fstat(fd, &st) != 0) throw factory::error("source jsonl: cannot stat '" + path + "': " + std::strerror(errno));
    return static_cast<std::uint64_t>(st.st_size);
}

} // namespace

std::size_t jsonl_source::on_position(std::span<std::byte> out) {
    if (!reader_.seekable())
        throw factory::error(reader_.path() == "-"
                                 ? std::string("jsonl reads stdin, which cannot be read again after a crash; give a "
                                               "file path (file=) to use --checkpoint")
                                 : "jsonl reads '" + reader_.path() + "', which is not a regular file (a pipe or "
                                   "device) and cannot be read again after a crash; give a regular file to use "
                                   "--checkpoint");
    const std::uint64_t offset = reader_.offset();
    factory::position_writer w(out);
    w.put(position_magic);
    w.put(offset);
    w.put(reader_.line_number());
    w.put(static_cast<std::uint8_t>(reader_.skipping()));
    w.put(hash_before(reader_.fd(), offset, reader_.path()));
    return w.size();
}

void jsonl_source::on_seek(std::span<const std::byte> position) {
    factory::position_reader r(position);
    if (r.get<std::uint32_t>() != position_magic)
        throw factory::error("source jsonl: the checkpoint's position was not written by the jsonl source");
    const auto offset = r.get<std::uint64_t>();
    const auto line = r.get<std::uint64_t>();
    const auto skipping = r.get<std::uint8_t>() != 0;
    const auto hash = r.get<std::uint64_t>();
    r.finish();
    if (!reader_.seekable())
        throw factory::error("source jsonl: cannot resume reading '" + reader_.path() +
                             "': only a regular file can be read again from the checkpoint's offset");
    const std::uint64_t size = size_of(reader_.fd(), reader_.path());
    if (size < offset)
        throw factory::error("source jsonl: '" + reader_.path() + "' has " + std::to_string(size) +
                             " bytes, but the checkpoint read up to byte " + std::to_string(offset) +
                             " (line " + std::to_string(line) + "): it is not the file the checkpoint read; "
                             "give that file, or start the job afresh");
    if (hash_before(reader_.fd(), offset, reader_.path()) != hash)
        throw factory::error("source jsonl: '" + reader_.path() + "' differs from the file the checkpoint read (its " +
                             "bytes before offset " + std::to_string(offset) + ", line " + std::to_string(line) +
                             ", are not the same); give that file, or start the job afresh");
    reader_.seek(offset, line, skipping);
}

} // namespace factory::jsonl
