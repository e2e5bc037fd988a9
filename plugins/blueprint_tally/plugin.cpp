// Entry points of libtally.so; the blueprint itself is in tally.cpp.
#include "tally.hpp"

FACTORY_BLUEPRINT(factory::tally::tally)
