// Entry points of libexporter_jsonl.so; the exporter itself is in jsonl_exporter.cpp.
#include "jsonl_exporter.hpp"

FACTORY_EXPORTER(factory::output::jsonl_exporter)
