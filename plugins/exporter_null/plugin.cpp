// Entry points of libexporter_null.so; the exporter itself is in null_exporter.hpp.
#include "null_exporter.hpp"

FACTORY_EXPORTER(factory::output::null_exporter)
