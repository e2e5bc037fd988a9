// Entry points of libexporter_csv.so; the exporter itself is in csv_exporter.cpp.
#include "csv_exporter.hpp"

FACTORY_EXPORTER(factory::output::csv_exporter)
