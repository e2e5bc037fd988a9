// Entry points of libflowmeter.so; the blueprint itself is in flowmeter.cpp.
#include "flowmeter.hpp"

FACTORY_BLUEPRINT(factory::flowmeter::flowmeter)
