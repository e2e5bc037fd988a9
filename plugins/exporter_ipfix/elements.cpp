#include "elements.hpp"

#include <iterator>

namespace factory::ipfix {

namespace {

using t = ie_type;

// Numbers, names and types as the IANA "IPFIX Information Elements" registry gives them; only
// elements a product field can fill (numbers, addresses, times, text).
constexpr element registry[] = {
    {1, "octetDeltaCount", t::unsigned64},
    {2, "packetDeltaCount", t::unsigned64},
    {3, "deltaFlowCount", t::unsigned64},
    {4, "protocolIdentifier", t::unsigned8},
    {5, "ipClassOfService", t::unsigned8},
    {6, "tcpControlBits", t::unsigned16},
    {7, "sourceTransportPort", t::unsigned16},
    {8, "sourceIPv4Address", t::ipv4_address},
    {9, "sourceIPv4PrefixLength", t::unsigned8},
    {10, "ingressInterface", t::unsigned32},
    {11, "destinationTransportPort", t::unsigned16},
    {12, "destinationIPv4Address", t::ipv4_address},
    {13, "destinationIPv4PrefixLength", t::unsigned8},
    {14, "egressInterface", t::unsigned32},
    {15, "ipNextHopIPv4Address", t::ipv4_address},
    {16, "bgpSourceAsNumber", t::unsigned32},
    {17, "bgpDestinationAsNumber", t::unsigned32},
    {27, "sourceIPv6Address", t::ipv6_address},
    {28, "destinationIPv6Address", t::ipv6_address},
    {29, "sourceIPv6PrefixLength", t::unsigned8},
    {30, "destinationIPv6PrefixLength", t::unsigned8},
    {31, "flowLabelIPv6", t::unsigned32},
    {32, "icmpTypeCodeIPv4", t::unsigned16},
    {58, "vlanId", t::unsigned16},
    {60, "ipVersion", t::unsigned8},
    {61, "flowDirection", t::unsigned8},
    {62, "ipNextHopIPv6Address", t::ipv6_address},
    {82, "interfaceName", t::string},
    {85, "octetTotalCount", t::unsigned64},
    {86, "packetTotalCount", t::unsigned64},
    {94, "applicationDescription", t::string},
    {96, "applicationName", t::string},
    {136, "flowEndReason", t::unsigned8},
    {139, "icmpTypeCodeIPv6", t::unsigned16},
    {148, "flowId", t::unsigned64},
    {150, "flowStartSeconds", t::date_seconds},
    {151, "flowEndSeconds", t::date_seconds},
    {152, "flowStartMilliseconds", t::date_millis},
    {153, "flowEndMilliseconds", t::date_millis},
    {154, "flowStartMicroseconds", t::date_micros},
    {155, "flowEndMicroseconds", t::date_micros},
    {156, "flowStartNanoseconds", t::date_nanos},
    {157, "flowEndNanoseconds", t::date_nanos},
    {161, "flowDurationMilliseconds", t::unsigned32},
    {162, "flowDurationMicroseconds", t::unsigned32},
    {176, "icmpTypeIPv4", t::unsigned8},
    {177, "icmpCodeIPv4", t::unsigned8},
    {178, "icmpTypeIPv6", t::unsigned8},
    {179, "icmpCodeIPv6", t::unsigned8},
    {192, "ipTTL", t::unsigned8},
    {224, "ipTotalLength", t::unsigned64},
    {239, "biflowDirection", t::unsigned8},
    {243, "dot1qVlanId", t::unsigned16},
    {244, "dot1qPriority", t::unsigned8},
    {245, "dot1qCustomerVlanId", t::unsigned16},
};

} // namespace

const char* type_name(ie_type type) noexcept {
    switch (type) {
    case t::unsigned8: return "unsigned8";
    case t::unsigned16: return "unsigned16";
    case t::unsigned32: return "unsigned32";
    case t::unsigned64: return "unsigned64";
    case t::signed64: return "signed64";
    case t::float64: return "float64";
    case t::boolean: return "boolean";
    case t::ipv4_address: return "ipv4Address";
    case t::ipv6_address: return "ipv6Address";
    case t::string: return "string";
    case t::date_seconds: return "dateTimeSeconds";
    case t::date_millis: return "dateTimeMilliseconds";
    case t::date_micros: return "dateTimeMicroseconds";
    case t::date_nanos: return "dateTimeNanoseconds";
    }
    return "?";
}

const element* find_element(std::uint16_t id) noexcept {
    for (const element& e : registry)
        if (e.id == id) return &e;
    return nullptr;
}

const element* find_element(std::string_view name) noexcept {
    for (const element& e : registry)
        if (name == e.name) return &e;
    return nullptr;
}

} // namespace factory::ipfix
