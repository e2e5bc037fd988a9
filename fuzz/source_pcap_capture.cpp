// Fuzz target for the pcap source's capture file reader (plugins/source_pcap/capture_file.*, over
// pcap_format, pcapng_format and capture_input): the input's first byte picks how the file is
// read (bit 0: mapped from a memory file, or streamed through a pipe; bit 1: give every other
// packet back once with unread()), the rest is the file. Every packet is also decoded.
//
// Checks beyond ASan/UBSan:
//   - a file is refused at open only with a factory::error saying why;
//   - each packet's captured bytes are bytes of the file, inside what its record consumed;
//   - the offset never passes the end; a clean end has read every byte;
//   - damage is reported once, with the unread rest of the file as its data, and ends the file;
//   - a packet given back with unread() comes again unchanged.
#include "fuzz_check.hpp"

#include "source_pcap/capture_file.hpp"
#include "source_pcap/packet_decoder.hpp"

#include <factory/settings.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

using namespace factory::pcap;

namespace {

// The file's bytes behind a path: a memory file (mapped by the reader) or a pipe (streamed).
struct input {
    int fd = -1;
    std::string path;
    input(const std::uint8_t* data, std::size_t size, bool pipe_it) {
        if (pipe_it) {
            int p[2];
            FUZZ_CHECK(::pipe(p) == 0, "pipe");
            // Inputs are capped below the pipe's 64 KiB, so the whole file fits before reading.
            FUZZ_CHECK(size == 0 || ::write(p[1], data, size) == static_cast<ssize_t>(size), "write to pipe");
            ::close(p[1]);
            fd = p[0];
        } else {
            fd = ::memfd_create("fuzz-capture", MFD_CLOEXEC);
            FUZZ_CHECK(fd >= 0, "memfd_create");
            FUZZ_CHECK(size == 0 || ::write(fd, data, size) == static_cast<ssize_t>(size), "write to memfd");
        }
        path = "/proc/self/fd/" + std::to_string(fd);
    }
    ~input() { ::close(fd); }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* raw, std::size_t raw_size) {
    if (raw_size < 1 || raw_size > 60000) return 0;
    const bool pipe_it = (raw[0] & 1) != 0;
    const bool unread_some = (raw[0] & 2) != 0;
    const std::uint8_t* file = raw + 1;
    const std::size_t size = raw_size - 1;
    input in(file, size, pipe_it);

    std::unique_ptr<capture_file> cap;
    try {
        cap = std::make_unique<capture_file>(in.path);
    } catch (const factory::error& e) {
        FUZZ_CHECK(std::strstr(e.what(), "source pcap: ") == e.what(), "a refusal that does not name the source");
        return 0;
    }

    raw_record r;
    std::uint64_t before = cap->offset();
    std::size_t packets = 0;
    int waits = 0;
    for (;;) {
        capture_file::result res;
        try {
            res = cap->next(r);
        } catch (const factory::error& e) {
            // A stream learns that it is no capture only at its first read.
            FUZZ_CHECK(pipe_it && packets == 0, "a refusal after the file was accepted");
            return 0;
        }
        FUZZ_CHECK(cap->offset() <= size, "the offset passed the end of the file");
        if (res == capture_file::result::wait) {
            FUZZ_CHECK(pipe_it && ++waits < 1000, "a memory file that waits, or a closed pipe that never ends");
            continue;
        }
        if (res == capture_file::result::end) {
            FUZZ_CHECK(cap->offset() == size, "a clean end before the last byte");
            break;
        }
        if (res == capture_file::result::damaged) {
            FUZZ_CHECK(std::strlen(cap->problem()) > 0, "damage without a reason");
            FUZZ_CHECK(cap->damaged_size() == size - cap->offset(), "the damaged data is not the rest of the file");
            FUZZ_CHECK(cap->damaged_size() == 0 ||
                           std::memcmp(cap->damaged_data(), file + cap->offset(), cap->damaged_size()) == 0,
                       "the damaged data differs from the file");
            FUZZ_CHECK(cap->next(r) == capture_file::result::end, "damage did not end the file");
            break;
        }
        const std::uint64_t after = cap->offset();
        FUZZ_CHECK(r.caplen <= after - before, "a packet longer than its record");
        FUZZ_CHECK(r.caplen == 0 || ::memmem(file + before, after - before, r.frame, r.caplen) != nullptr,
                   "a packet's bytes are not in its record");
        factory_packet p{};
        (void)decode_frame(r.link, r.frame, r.caplen, r.wire_length, p, nullptr, 0);
        if (unread_some && packets % 2 == 0) {
            const raw_record first = r;
            const std::string bytes(reinterpret_cast<const char*>(r.frame), r.caplen);
            cap->unread();
            // Back over the packet's record (not over any block without a packet read before it).
            FUZZ_CHECK(cap->offset() >= before && cap->offset() < after, "unread did not go back to the packet");
            FUZZ_CHECK(cap->next(r) == capture_file::result::packet, "an unread packet did not come back");
            FUZZ_CHECK(r.caplen == first.caplen && r.time_ns == first.time_ns && r.link == first.link &&
                           bytes == std::string(reinterpret_cast<const char*>(r.frame), r.caplen),
                       "an unread packet came back changed");
        }
        ++packets;
        before = cap->offset();
    }
    return 0;
}
