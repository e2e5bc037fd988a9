# factory_add_plugin(<name> KIND source|blueprint|exporter SOURCES <files...>
#                    [OUTPUT_NAME <file name without lib/.so>] [LIBRARIES <libs...>]
#                    [ENTRY <file>] [NO_INSTALL])
#
# Builds a factory plugin as a shared library against the SDK (target factory::sdk in an installed
# package, factory_sdk in the source tree). The file is lib<OUTPUT_NAME>.so; OUTPUT_NAME defaults
# to <name> for blueprints and <kind>_<name> otherwise, so that a source and an exporter may share
# a name. Inside the factory tree, plugins land in the build's plugin folder and are installed to
# the installed plugin folder; out of the tree, they are installed to FACTORY_PLUGIN_DIR.
#
# The plugin's logic, every source but its entry point (ENTRY, plugin.cpp by default: the file that
# defines the descriptor and the exported symbols), also becomes a static library,
# <kind>_<name>_logic, which the plugin links: tests link it to test the logic without listing its
# files again. It carries SOURCES' folder as an include folder and LIBRARIES. When SOURCES holds
# no entry point file, or nothing else, everything is compiled into the plugin as one.
function(factory_add_plugin name)
  cmake_parse_arguments(P "NO_INSTALL" "KIND;OUTPUT_NAME;ENTRY" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT P_KIND MATCHES "^(source|blueprint|exporter)$")
    message(FATAL_ERROR "factory_add_plugin(${name}): KIND must be source, blueprint or exporter")
  endif()
  if(NOT P_SOURCES)
    message(FATAL_ERROR "factory_add_plugin(${name}): SOURCES is empty")
  endif()
  if(NOT P_ENTRY)
    set(P_ENTRY plugin.cpp)
  endif()
  if(NOT P_OUTPUT_NAME)
    if(P_KIND STREQUAL "blueprint")
      set(P_OUTPUT_NAME "${name}")
    else()
      set(P_OUTPUT_NAME "${P_KIND}_${name}")
    endif()
  endif()
  if(TARGET factory_sdk)
    set(sdk factory_sdk)
  else()
    set(sdk factory::sdk)
  endif()
  set(entry "")
  set(logic "")
  foreach(src IN LISTS P_SOURCES)
    get_filename_component(file_name "${src}" NAME)
    if(src STREQUAL P_ENTRY OR file_name STREQUAL P_ENTRY)
      list(APPEND entry "${src}")
    else()
      list(APPEND logic "${src}")
    endif()
  endforeach()
  set(target "${P_KIND}_${name}")
  if(entry AND logic)
    set(logic_target "${target}_logic")
    add_library(${logic_target} STATIC ${logic})
    target_include_directories(${logic_target} PUBLIC "${CMAKE_CURRENT_SOURCE_DIR}")
    target_link_libraries(${logic_target} PUBLIC ${sdk} ${P_LIBRARIES})
    # Linked into a shared object, and nothing of it exported from there.
    set_target_properties(${logic_target} PROPERTIES
      POSITION_INDEPENDENT_CODE ON
      CXX_VISIBILITY_PRESET hidden
      VISIBILITY_INLINES_HIDDEN ON)
    add_library(${target} MODULE ${entry})
    target_link_libraries(${target} PRIVATE ${logic_target})
  else()
    add_library(${target} MODULE ${P_SOURCES})
    target_link_libraries(${target} PRIVATE ${sdk} ${P_LIBRARIES})
  endif()
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
