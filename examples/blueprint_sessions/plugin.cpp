// Entry points of libsessions.so; the blueprint itself is in sessions.cpp.
#include "sessions.hpp"

FACTORY_BLUEPRINT(example::sessions::session_blueprint)
