# factory_add_plugin(<name> KIND source|blueprint|exporter SOURCES <files...>
#                    [OUTPUT_NAME <file name without lib/.so>] [LIBRARIES <libs...>] [NO_INSTALL])
#
# Builds a factory plugin as a shared library against the SDK (target factory::sdk in an installed
# package, factory_sdk in the source tree). The file is lib<OUTPUT_NAME>.so; OUTPUT_NAME defaults
# to <name> for blueprints and <kind>_<name> otherwise, so that a source and an exporter may share
# a name. Inside the factory tree, plugins land in the build's plugin folder and are installed to
# the installed plugin folder; out of the tree, they are installed to FACTORY_PLUGIN_DIR.
function(factory_add_plugin name)
  cmake_parse_arguments(P "NO_INSTALL" "KIND;OUTPUT_NAME" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT P_KIND MATCHES "^(source|blueprint|exporter)$")
    message(FATAL_ERROR "factory_add_plugin(${name}): KIND must be source, blueprint or exporter")
  endif()
  if(NOT P_SOURCES)
    message(FATAL_ERROR "factory_add_plugin(${name}): SOURCES is empty")
  endif()
  if(NOT P_OUTPUT_NAME)
    if(P_KIND STREQUAL "blueprint")
      set(P_OUTPUT_NAME "${name}")
    else()
      set(P_OUTPUT_NAME "${P_KIND}_${name}")
    endif()
  endif()
  set(target "${P_KIND}_${name}")
  add_library(${target} MODULE ${P_SOURCES})
  if(TARGET factory_sdk)
    target_link_libraries(${target} PRIVATE factory_sdk)
  else()
    target_link_libraries(${target} PRIVATE factory::sdk)
  endif()
  target_link_libraries(${target} PRIVATE ${P_LIBRARIES})
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME "${P_OUTPUT_NAME}"
    PREFIX "lib"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  # A plugin must not leave undefined symbols for the host to resolve.
  target_link_options(${target} PRIVATE "LINKER:--no-undefined")
  if(DEFINED FACTORY_PLUGIN_OUTPUT_DIR)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${FACTORY_PLUGIN_OUTPUT_DIR}")
  endif()
  if(NOT P_NO_INSTALL)
    if(DEFINED FACTORY_PLUGIN_SUBDIR)
      install(TARGETS ${target} LIBRARY DESTINATION "${FACTORY_PLUGIN_SUBDIR}")
    elseif(DEFINED FACTORY_PLUGIN_DIR)
      install(TARGETS ${target} LIBRARY DESTINATION "${FACTORY_PLUGIN_DIR}")
    endif()
  endif()
endfunction()
