// Entry points of libsessionize.so; the blueprint itself is in sessionize.cpp.
#include "sessionize.hpp"

FACTORY_BLUEPRINT(factory::sessionize::sessionize)
