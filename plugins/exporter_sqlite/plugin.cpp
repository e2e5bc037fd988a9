// Entry points of libexporter_sqlite.so; the exporter itself is in sqlite_exporter.cpp.
#include "sqlite_exporter.hpp"

FACTORY_EXPORTER(factory::sqlite::sqlite_exporter)
