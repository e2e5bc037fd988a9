// Entry points of libsource_pcap.so; the source itself is in pcap_source.cpp.
#include "pcap_source.hpp"

FACTORY_SOURCE(factory::pcap::pcap_source)
