// The capture maker: pcap and pcapng files with flows of known content, and the flows they
// should give, for tests and benchmarks of flow metering. Header-only; include this header, or
// the part you need:
//   frame.hpp     packet_spec -> the captured bytes (build_frame) and what a decoder must find
//                 in them (facts_of)
//   writer.hpp    pcap (us / ns) and pcapng files, either byte order, several interfaces
//   traffic.hpp   sessions of TCP (handshake, data, FIN or RST), UDP, ICMP, fragmented UDP and
//                 GRE over IPv4 / IPv6 (extension headers), VLAN / QinQ, with pauses, long
//                 sessions and stray ARP, truncated and malformed packets; deterministic
//   expected.hpp  the flows under idle / active timeouts, FIN / RST, byte rule and key mode, as
//                 factory's rules state them; totals per 5-tuple (pmacct's view)
// CMake: include(tests/support/capture/capture.cmake) and link factory_capture.
#pragma once

#include "expected.hpp"
#include "frame.hpp"
#include "traffic.hpp"
#include "writer.hpp"
