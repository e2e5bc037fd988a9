// Entry points of libsource_synthetic.so; the source itself is in synthetic_source.cpp.
#include "synthetic_source.hpp"

FACTORY_SOURCE(factory::synthetic::synthetic_source)
