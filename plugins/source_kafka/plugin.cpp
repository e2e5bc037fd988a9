// Entry points of libsource_kafka.so; the source itself is in kafka_source.cpp.
#include "kafka_source.hpp"

FACTORY_SOURCE(factory::kafka::kafka_source)
