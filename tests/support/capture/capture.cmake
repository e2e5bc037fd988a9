# The capture maker (header-only): include this file from any test or benchmark folder, then
# target_link_libraries(<target> PRIVATE factory_capture) and #include "capture/capture.hpp".
if(NOT TARGET factory_capture)
  add_library(factory_capture INTERFACE)
  target_include_directories(factory_capture INTERFACE "${CMAKE_CURRENT_LIST_DIR}/..")
  target_compile_features(factory_capture INTERFACE cxx_std_20)
endif()
