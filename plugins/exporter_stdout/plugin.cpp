// Entry points of libexporter_stdout.so; the exporter itself is in stdout_exporter.cpp.
#include "stdout_exporter.hpp"

FACTORY_EXPORTER(factory::output::stdout_exporter)
