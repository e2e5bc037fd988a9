// Entry points of libwidget.so; the blueprint itself is in widget.cpp.
#include "widget.hpp"

FACTORY_BLUEPRINT(factory::widget::widget)
