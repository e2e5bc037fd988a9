# Run by ctest as `cmake -P` (see CMakeLists.txt beside it), with:
#   FACTORY_BINARY_DIR  the factory build tree to install
#   EXAMPLE_SOURCE_DIR  examples/blueprint_sessions
#   TSV_SOURCE_DIR      tests/install/tsv_exporter: an exporter using every SDK renderer
#   WORK_DIR            a scratch folder, emptied first and left behind for a look after a failure
#   GENERATOR, MAKE_PROGRAM, CXX_COMPILER   for configuring the example as the build was
# Fails with FATAL_ERROR naming the step, the command and its output. No network is used.
cmake_minimum_required(VERSION 3.25)
include("${CMAKE_CURRENT_LIST_DIR}/check_helpers.cmake")

foreach(var FACTORY_BINARY_DIR EXAMPLE_SOURCE_DIR TSV_SOURCE_DIR WORK_DIR GENERATOR CXX_COMPILER)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "install_check.cmake: pass -D${var}=...")
  endif()
endforeach()

set(prefix "${WORK_DIR}/prefix")
set(example "${WORK_DIR}/example-build")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

# 1. Install the build tree to a fresh prefix and check the layout.
run_step("install" cmake_out COMMAND "${CMAKE_COMMAND}" --install "${FACTORY_BINARY_DIR}" --prefix "${prefix}")
foreach(f bin/factory-host include/factory/abi.h include/factory/blueprint.hpp
          lib/cmake/factory/factoryConfig.cmake lib/cmake/factory/factoryConfigVersion.cmake
          lib/cmake/factory/factoryTargets.cmake lib/cmake/factory/FactoryPlugin.cmake
          lib/factory/plugins/libwidget.so lib/factory/plugins/libsource_synthetic.so
          lib/factory/plugins/libexporter_jsonl.so
          share/doc/factory/plugins/exporter_sqlite.md share/doc/factory/plugins/exporter_ipfix.md)
  if(NOT EXISTS "${prefix}/${f}")
    fail("`cmake --install ${FACTORY_BINARY_DIR} --prefix ${prefix}` installed no ${f}")
  endif()
endforeach()
# Every bundled plugin's README is installed as share/doc/factory/plugins/<folder>.md.
get_filename_component(source_root "${EXAMPLE_SOURCE_DIR}/../.." ABSOLUTE)
file(GLOB readmes RELATIVE "${source_root}/plugins" "${source_root}/plugins/*/README.md")
foreach(readme IN LISTS readmes)
  get_filename_component(folder "${readme}" DIRECTORY)
  if(EXISTS "${source_root}/plugins/${folder}/CMakeLists.txt" AND
     NOT EXISTS "${prefix}/share/doc/factory/plugins/${folder}.md")
    fail("plugins/${readme} is not installed as share/doc/factory/plugins/${folder}.md")
  endif()
endforeach()
set(host "${prefix}/bin/factory-host")

# 2. Configure and build the example against that prefix alone.
set(configure_args -S "${EXAMPLE_SOURCE_DIR}" -B "${example}" -G "${GENERATOR}"
    "-DCMAKE_PREFIX_PATH=${prefix}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)
if(MAKE_PROGRAM)
  list(APPEND configure_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
run_step("configure the example" out COMMAND "${CMAKE_COMMAND}" ${configure_args})
file(STRINGS "${example}/CMakeCache.txt" found_dir REGEX "^factory_DIR:")
if(NOT found_dir STREQUAL "factory_DIR:PATH=${prefix}/lib/cmake/factory")
  fail("find_package(factory) found '${found_dir}', not the package in ${prefix}")
endif()
run_step("build the example" out COMMAND "${CMAKE_COMMAND}" --build "${example}")
file(READ "${example}/compile_commands.json" commands)
string(FIND "${commands}" "${prefix}/include" uses_prefix)
get_filename_component(source_tree "${EXAMPLE_SOURCE_DIR}/../.." ABSOLUTE)
string(FIND "${commands}" "${source_tree}/sdk/include" uses_tree)
if(uses_prefix EQUAL -1 OR NOT uses_tree EQUAL -1)
  fail("the example must compile against ${prefix}/include only; see ${example}/compile_commands.json")
endif()
set(plugin "${example}/libsessions.so")
if(NOT EXISTS "${plugin}")
  fail("the example built no ${plugin}")
endif()
# The host refuses plugins that others may write; a umask of 002 must not fail the test.
execute_process(COMMAND chmod -R go-w "${prefix}" "${example}")

# 2b. A plugin author's Release build with -Wall -Wextra -Werror stays clean: the example, and an
#     exporter that uses every renderer of the SDK.
foreach(project example tsv)
  if(project STREQUAL "example")
    set(source "${EXAMPLE_SOURCE_DIR}")
  else()
    set(source "${TSV_SOURCE_DIR}")
  endif()
  set(strict_args -S "${source}" -B "${WORK_DIR}/${project}-strict" -G "${GENERATOR}"
      "-DCMAKE_PREFIX_PATH=${prefix}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" -DCMAKE_BUILD_TYPE=Release
      "-DCMAKE_CXX_FLAGS=-Wall -Wextra -Werror"
      -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF)
  if(MAKE_PROGRAM)
    list(APPEND strict_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
  endif()
  run_step("configure ${project} (Release, -Wall -Wextra -Werror)" out COMMAND "${CMAKE_COMMAND}" ${strict_args})
  run_step("build ${project} (Release, -Wall -Wextra -Werror)" out
           COMMAND "${CMAKE_COMMAND}" --build "${WORK_DIR}/${project}-strict")
endforeach()

# 3. The installed host lists the plugin from the example's build folder.
run_step("list plugins" listing COMMAND "${host}" plugins --plugin-dir "${example}")
if(NOT listing MATCHES "sessions +blueprint +1\\.0\\.0[^\n]*${plugin}")
  fail("`factory-host plugins --plugin-dir ${example}` does not list ${plugin}:\n${listing}")
endif()

# 4. The main run: one session per pid, shipped at the end, all accounted for.
set(run "${WORK_DIR}/run")
file(MAKE_DIRECTORY "${run}")
run_step("run sessions" out WORKING_DIRECTORY "${run}"
  COMMAND "${host}" --source synthetic:count=50000,keys=100 --blueprint sessions --plugin-dir "${example}"
          --exporter "jsonl:dir=${run}/out" --summary-json "${run}/s.json" --workshops 2 --quiet)
read_summary("${run}/s.json" summary)
expect_summary("${summary}" 50000)
read_sessions("${run}/out/session.jsonl" sessions)
if(NOT sessions_count EQUAL summary_exported)
  fail("${sessions_count} session products, but the summary says ${summary_exported} exported")
endif()
if(NOT sessions_materials EQUAL 50000)
  fail("the sessions hold ${sessions_materials} materials, not the 50000 purchased")
endif()
if(NOT sessions_pids EQUAL 100)
  fail("${sessions_pids} distinct pids in the sessions, not the source's 100 keys")
endif()

# 5. The inspector: a paced run (about 1 s) with a visit every 200 ms ships progress products, and
#    each session counts exactly the progress products shipped for its pid.
set(run "${WORK_DIR}/run-progress")
file(MAKE_DIRECTORY "${run}")
run_step("run sessions with the inspector" out WORKING_DIRECTORY "${run}"
  COMMAND "${host}" --source synthetic:count=20000,keys=10 --rate 20000 --inspect 200ms --contract 1h
          --blueprint sessions:progress=always --plugin-dir "${example}" --exporter "jsonl:dir=${run}/out"
          --summary-json "${run}/s.json" --workshops 2 --quiet)
read_summary("${run}/s.json" summary)
expect_summary("${summary}" 20000)
read_sessions("${run}/out/session.jsonl" sessions)
expect_progress_matches("${run}/out/progress.jsonl")

# 6. `cmake --install` of the example puts it in the installed plugins folder by default.
run_step("install the example" out COMMAND "${CMAKE_COMMAND}" --install "${example}")
set(installed "${prefix}/lib/factory/plugins/libsessions.so")
if(NOT EXISTS "${installed}")
  fail("`cmake --install ${example}` did not install ${installed}")
endif()
run_step("list installed plugins" listing WORKING_DIRECTORY "${WORK_DIR}" COMMAND "${host}" plugins)
if(NOT listing MATCHES "sessions +blueprint[^\n]*${installed}")
  fail("`factory-host plugins` does not list the installed ${installed}:\n${listing}")
endif()

# 7. A bundled plugin's notes, shown where the user looks.
run_step("show the sqlite exporter" shown WORKING_DIRECTORY "${WORK_DIR}" COMMAND "${host}" plugins sqlite)
if(NOT shown MATCHES "\nnotes:\n  One table per pclass" OR NOT shown MATCHES "reads back negative, add 2\\^64")
  fail("`factory-host plugins sqlite` shows no notes on its columns:\n${shown}")
endif()

message(STATUS "install check passed: ${prefix}")
