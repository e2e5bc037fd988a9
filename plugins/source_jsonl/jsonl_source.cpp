#include "jsonl_source.hpp"

#include <cstdio>
#include <cstring>

namespace factory::jsonl {
namespace {

bool blank(std::string_view s) noexcept {
    for (char c : s)
        if (c != ' ' && c != '\t') return false;
    return true;
}

// Blocks (1 MiB each) of a too long line one fill() drops before it returns to the host.
constexpr unsigned max_skipped_blocks = 64;

} // namespace

jsonl_source::jsonl_source(const factory::settings& s, factory::host h)
    : source(h), reader_(s.string("file")),
      rule_(s.text("key"), s.text("time"), s.text("time_unit")) {}

factory::fill_result jsonl_source::on_fill(factory::filler& f) {
    // The largest material is the host's to say; it is the same on every call in practice, so
    // this sizes the buffer once.
    if (reader_.max_line() != f.max_size()) reader_.set_max_line(f.max_size());
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
        if (!rule_.read(ln.text, pid, time_ns, why, sizeof why)) {
            std::snprintf(reason, sizeof reason, "line %llu: %s",
                          static_cast<unsigned long long>(ln.number), why);
            f.reject(reason, ln.text.data(), ln.text.size());
            continue;
        }
        void* out = f.add(pid, time_ns, FACTORY_FORMAT_JSON, static_cast<std::uint32_t>(ln.text.size()));
        if (out == nullptr) {
            // The run is stopping: keep the line, so that nothing read is silently dropped.
            reader_.unread();
            return factory::fill_result::more;
        }
        std::memcpy(out, ln.text.data(), ln.text.size());
        ++added;
    }
    return factory::fill_result::more;
}

} // namespace factory::jsonl
