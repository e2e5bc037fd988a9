// softflowd 1.1's file mode (-r file -v 10 -A milli), worked out by the test from the capture
// alone, to say in advance what softflowd reports and how factory's flows differ from it.
//
// The flow table (what softflowd does when it reads a file, confirmed against the real program
// by the tests in softflowd_compare_test.cpp):
//   - a flow is both directions of a conversation (its key: the address pair in byte order, the
//     protocol, the two ports going with their addresses; VLAN not included);
//   - no timeout ever ends a flow (idle, TCP FIN / RST: they are only checked against the wall
//     clock, which never happens in file mode);
//   - maxlife (-t maxlife=S, S > 0): a packet after which the flow's last and first second (whole
//     seconds, the timeval's tv_sec) lie more than S apart marks the flow; marked flows end when
//     the batch of -m packets being read is done (pcap_dispatch reads -m records per call, every
//     record of the file counted), so packets of a marked flow later in the same batch still
//     count in it;
//   - at the end of the file every flow ends;
//   - each direction with packets gives one record: its packets and bytes (wire length minus the
//     link header, VLAN tag included), with the flow's first and last packet time (ms: tv_sec *
//     1000 + tv_usec / 1000).
// The packet decoder is pluggable: softflowd_decode() reads the captured bytes the way softflowd
// 1.1 does; factory_decode() takes what factory's pcap source finds (capture::facts_of).
#pragma once

#include "capture/frame.hpp"
#include "nfdump_tools.hpp"

#include <cstdint>
#include <functional>
#include <vector>

namespace factory::testing {

// One packet as a flow table sees it.
struct decoded {
    bool flow = false; // false: ignored (not IP, too short, unusable)
    std::uint8_t ip_version = 4, protocol = 0, tcp_flags = 0;
    capture::address src{}, dst{};
    std::uint16_t src_port = 0, dst_port = 0;
    std::uint32_t bytes = 0; // wire length minus the link header
};

// softflowd 1.1's reading of an Ethernet frame (only the captured bytes and the wire length).
// Its ways, as the test knows them: one 802.1Q tag (TPID 0x8100) is skipped, anything else that
// is not IPv4 / IPv6 (ARP, QinQ) is ignored; an IPv4 header shorter than 20 captured bytes, or a
// version that is not 4 / 6, is ignored; the IHL is trusted as it is (a short one moves the
// transport header into the IP header) and the IP total length is never checked; a TCP / UDP
// header not captured whole (20 / 8 bytes) leaves both ports 0; ICMP sets the destination port to
// type * 256 + code; a later fragment has ports 0 and, over IPv6, protocol 0 (the Fragment
// header's next header is never read).
decoded softflowd_decode(const std::vector<std::uint8_t>& captured, std::uint32_t wire_length);

// What factory's pcap source decodes (the capture maker's facts), bytes by the wire rule.
decoded factory_decode(const capture::packet_spec& p);

struct model_options {
    std::int64_t maxlife_s = 0; // 0: none
    std::uint64_t batch = 8192; // -m: records per pcap_dispatch call
};

struct model_result {
    std::vector<nf_record> records; // sorted
    std::uint64_t flow_packets = 0;
    std::uint64_t ignored = 0;
    std::uint64_t max_live_flows = 0; // must stay at or below -m, or softflowd evicts flows
};

model_result run_model(const std::vector<capture::packet_spec>& packets,
                       const std::function<decoded(const capture::packet_spec&)>& decode,
                       const model_options& o);

} // namespace factory::testing
