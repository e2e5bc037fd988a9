// Entry points of libexporter_kafka.so; the exporter itself is in kafka_exporter.cpp.
#include "kafka_exporter.hpp"

FACTORY_EXPORTER(factory::kafka::kafka_exporter)
