# factory_plugin_test(<name> [PLUGIN <plugin target>] [SOURCES <more files...>]
#                     [LIBRARIES <libs...>] [RUNS_HOST <plugin targets...>])
#
# One Catch2 executable, test_plugins_<name>, from the calling folder's *_test.cpp files. With
# PLUGIN, it links the plugin's logic (<plugin target>_logic, made by factory_add_plugin(): every
# file but the entry point), the plugin is built first, and its file's path is FACTORY_TEST_PLUGIN,
# for tests that load it as the host would. RUNS_HOST: some cases run factory-host (through
# support/host_run.hpp) with these plugins, which are built first, with factory-host. Tests include "support/..." (factory_test_support),
# their own folder's and "<plugin folder>/..." headers. Included once, by tests/CMakeLists.txt.
function(factory_plugin_test name)
  cmake_parse_arguments(T "" "PLUGIN" "SOURCES;LIBRARIES;RUNS_HOST" ${ARGN})
  set(target "test_plugins_${name}")
  file(GLOB tests CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/*_test.cpp")
  add_executable(${target} ${tests} ${T_SOURCES})
  target_include_directories(${target} PRIVATE
    "${CMAKE_CURRENT_SOURCE_DIR}" "${PROJECT_SOURCE_DIR}/tests/plugins" "${PROJECT_SOURCE_DIR}/plugins")
  target_link_libraries(${target} PRIVATE Catch2::Catch2WithMain factory_test_support ${T_LIBRARIES})
  if(T_PLUGIN)
    if(TARGET ${T_PLUGIN}_logic)
      target_link_libraries(${target} PRIVATE ${T_PLUGIN}_logic)
    endif()
    add_dependencies(${target} ${T_PLUGIN})
    target_compile_definitions(${target} PRIVATE FACTORY_TEST_PLUGIN="$<TARGET_FILE:${T_PLUGIN}>")
  endif()
  if(T_RUNS_HOST)
    add_dependencies(${target} factory-host ${T_RUNS_HOST})
  endif()
  catch_discover_tests(${target} TEST_PREFIX "plugins.${name}: " EXTRA_ARGS --warn NoTests
                       PROPERTIES TIMEOUT ${FACTORY_TEST_TIMEOUT})
endfunction()
