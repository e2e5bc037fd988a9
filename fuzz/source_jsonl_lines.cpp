// Fuzz target for the jsonl source's line reader (plugins/source_jsonl/line_reader.*): any bytes,
// from a regular file or a pipe, with a largest line and a pattern of unread() calls taken from the
// input's first three bytes.
//
// The reader must return exactly what a plain split of the same bytes gives: each "\n"-ended piece
// (and a last unended one), one "\r" before the "\n" removed, numbered from 1, and any piece longer
// than the largest line as too_long with its first max_line bytes. A line given back with unread()
// must come again, the same text under the same number.
#include "fuzz_check.hpp"

#include "source_jsonl/line_reader.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

using factory::jsonl::line_reader;

namespace {

struct piece {
    line_reader::result kind;
    std::string text;
};

std::vector<piece> split(std::string_view data, std::size_t max_line) {
    std::vector<piece> out;
    while (!data.empty()) {
        std::size_t nl = data.find('\n');
        std::string_view one = data.substr(0, nl);
        data.remove_prefix(nl == std::string_view::npos ? data.size() : nl + 1);
        if (!one.empty() && one.back() == '\r') one.remove_suffix(1);
        if (one.size() > max_line) out.push_back({line_reader::result::too_long, std::string(one.substr(0, max_line))});
        else out.push_back({line_reader::result::line, std::string(one)});
    }
    return out;
}

// Where the reader reads from: a memory file (regular, read in blocks) or a pipe (polled).
struct input {
    int fd = -1;
    std::string path;
    explicit input(std::string_view data, bool pipe_it) {
        if (pipe_it) {
            int p[2];
            FUZZ_CHECK(::pipe(p) == 0, "pipe");
            // Inputs are capped below the pipe's 64 KiB, so the whole text fits before reading.
            std::size_t off = 0;
            while (off < data.size()) {
                ssize_t n = ::write(p[1], data.data() + off, data.size() - off);
                FUZZ_CHECK(n > 0, "write to pipe");
                off += static_cast<std::size_t>(n);
            }
            ::close(p[1]);
            fd = p[0];
        } else {
            fd = ::memfd_create("fuzz-lines", MFD_CLOEXEC);
            FUZZ_CHECK(fd >= 0, "memfd_create");
            FUZZ_CHECK(::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()), "write to memfd");
        }
        path = "/proc/self/fd/" + std::to_string(fd);
    }
    ~input() { ::close(fd); }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* raw, std::size_t size) {
    if (size < 3 || size > 60000) return 0;
    const std::size_t max_line = 1 + (raw[0] | (raw[1] & 0x0f) << 8); // 1..4096
    const bool pipe_it = (raw[1] & 0x80) != 0;
    const unsigned unread_mask = raw[2]; // bit i % 8: give line i back once
    std::string_view data(reinterpret_cast<const char*>(raw + 3), size - 3);

    const std::vector<piece> want = split(data, max_line);
    input in(data, pipe_it);
    line_reader reader(in.path, 4096, 1);
    reader.set_max_line(max_line);

    std::size_t got = 0;
    line_reader::line ln;
    for (int idle = 0; idle < 1000;) {
        line_reader::result r = reader.next(ln);
        if (r == line_reader::result::end) break;
        if (r == line_reader::result::wait) {
            ++idle; // a closed pipe ends at once; this only bounds a reader that would spin
            continue;
        }
        FUZZ_CHECK(got < want.size(), "more lines than the text holds");
        FUZZ_CHECK(r == want[got].kind, "a line's result differs from a plain split");
        FUZZ_CHECK(ln.text == want[got].text, "a line's text differs from a plain split");
        FUZZ_CHECK(ln.number == got + 1, "lines are not numbered 1, 2, 3, ...");
        if (r == line_reader::result::line && (unread_mask >> (got % 8) & 1) != 0) {
            const std::string first(ln.text);
            const std::uint64_t number = ln.number;
            reader.unread();
            FUZZ_CHECK(reader.next(ln) == line_reader::result::line, "an unread line did not come back");
            FUZZ_CHECK(ln.text == first && ln.number == number, "an unread line came back changed");
        }
        ++got;
    }
    FUZZ_CHECK(got == want.size(), "fewer lines than the text holds");
    return 0;
}
