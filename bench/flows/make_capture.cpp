// Writes the flow benchmark's capture with the capture maker (tests/support/capture): traffic of
// the maker's usual mix, cut off after exactly N packets.
//   flows_capture OUT [PACKETS (default 6000000)] [pcap|pcapng] [SEED]
#include "capture/capture.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace cap = factory::capture;

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s OUT [PACKETS] [pcap|pcapng] [SEED]\n", argv[0]);
        return 2;
    }
    const std::uint64_t packets = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 6'000'000;
    const bool ng = argc > 3 && std::string(argv[3]) == "pcapng";
    cap::traffic_options o;
    o.seed = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 1;
    // About 18 packets a session (more sessions than needed: the stream is cut at N packets);
    // over 10 minutes, so that some thousands of flows are live at a time.
    o.sessions = packets / 15 + 1;
    o.span_ns = 600'000'000'000;
    o.max_payload = 600;
    try {
        cap::writer out(argv[1], {.format = ng ? cap::file_format::pcapng : cap::file_format::pcap_us});
        cap::traffic t(o);
        cap::packet_spec p;
        std::uint64_t n = 0;
        while (n < packets && t.next(p)) {
            out.write(p);
            ++n;
        }
        out.close();
        std::printf("%llu\n", static_cast<unsigned long long>(n));
        return n == packets ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
        return 1;
    }
}
