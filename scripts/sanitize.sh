#!/usr/bin/env bash
# The test suite under the sanitizers, each in a build folder of its own.
#
#   scripts/sanitize.sh asan [ctest args...]   AddressSanitizer + UndefinedBehaviorSanitizer (LSan
#                                              included): the whole suite, in build-asan/
#   scripts/sanitize.sh tsan [ctest args...]   ThreadSanitizer: the ring and roster tests
#                                              (test_host_shm, test_host_workshop), in build-tsan/
#
# Extra arguments go to ctest, e.g. `scripts/sanitize.sh asan -R e2e`. Environment: SANITIZE_JOBS
# (build jobs, default 2), SANITIZE_BUILD_DIR (overrides the folder). Any sanitizer report fails
# the test it happens in (-fno-sanitize-recover=all, halt_on_error), with its stack in the output.
#
# Plugins are dlopened by factory-host and by the plugin tests: with ASan both sides are built in
# the same tree with the same flags, so both are instrumented. Leaks: LSan runs with
# scripts/lsan.supp, which names the few allocations that live until exit by design (see there).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mode="${1:-}"
shift || true
jobs="${SANITIZE_JOBS:-2}"

case "$mode" in
  asan)
    build="${SANITIZE_BUILD_DIR:-$root/build-asan}"
    sanitize="address,undefined"
    targets=() # everything
    ctest_filter=()
    ;;
  tsan)
    build="${SANITIZE_BUILD_DIR:-$root/build-tsan}"
    sanitize="thread"
    targets=(test_host_shm test_host_workshop)
    ctest_filter=(-R "^host\.(shm|workshop):")
    ;;
  *)
    echo "usage: scripts/sanitize.sh asan|tsan [ctest args...]" >&2
    exit 2
    ;;
esac

cmake -S "$root" -B "$build" -G Ninja -DFACTORY_SANITIZE="$sanitize" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$build" -j "$jobs" "${targets[@]}"

# abort_on_error gives a core-less SIGABRT, which ctest reports as a failure with the report above it.
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1"
export LSAN_OPTIONS="suppressions=$root/scripts/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"

ctest --test-dir "$build" --output-on-failure --no-tests=error "${ctest_filter[@]}" "$@"
