#include "wire_record.hpp"

#include "source_synthetic/protocol_mix.hpp"

namespace factory::bench {

// The synthetic source's defaults (plugins/source_synthetic/synthetic_source.hpp): seed 1 and its
// protocol mix, so the protocols, and with them the ports written, are the factory run's.
record_maker::record_maker(std::uint64_t keys)
    : generator_(keys, 1, synthetic::parse_protocol_mix("tcp:70,udp:25,icmp:5")) {}

} // namespace factory::bench
