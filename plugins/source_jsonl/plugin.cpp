// Entry points of libsource_jsonl.so; the source itself is in jsonl_source.cpp.
#include "jsonl_source.hpp"

FACTORY_SOURCE(factory::jsonl::jsonl_source)
