// Entry points of libexporter_ipfix.so; the exporter itself is in ipfix_exporter.cpp.
#include "ipfix_exporter.hpp"

FACTORY_EXPORTER(factory::ipfix::ipfix_exporter)
