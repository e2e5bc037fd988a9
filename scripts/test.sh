#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run): installs every build and test dependency,
# configures and builds everything into build/, runs every test with ctest, then the same tests
# under ASan+UBSan (scripts/sanitize.sh asan; FACTORY_TEST_ASAN=0 skips that outside CI). Works from
# any folder. Its exit code is non-zero when any test failed in either run.
# Per-test timeout: FACTORY_TEST_TIMEOUT seconds (default 300).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
say() { printf 'test: %s\n' "$*"; }
jobs="$(nproc 2>/dev/null || echo 2)"
timeout="${FACTORY_TEST_TIMEOUT:-300}"
start=$SECONDS

say "dependencies: scripts/install-deps.sh (build and test packages; apt-get only when something is missing)"
bash scripts/install-deps.sh

if [[ -f build/CMakeCache.txt && ! -f build/build.ninja ]]; then
  say "build/ was configured with another generator than Ninja; remove it (rm -rf build) and run again" >&2
  exit 1
fi
say "configure: cmake -S . -B build -G Ninja, tests on (log: build/configure.log)"
mkdir -p build
if ! cmake -S . -B build -G Ninja -DFACTORY_BUILD_TESTS=ON >build/configure.log 2>&1; then
  cat build/configure.log >&2
  say "configuring failed; the log above says why" >&2
  exit 1
fi

say "build: cmake --build build -j $jobs (log: build/build.log)"
if ! cmake --build build --parallel "$jobs" >build/build.log 2>&1; then
  tail -n 80 build/build.log >&2
  say "building failed; the end of build/build.log is above" >&2
  exit 1
fi

# factory-host keeps its lines in /dev/shm; a container's default 64 MiB is too little for
# several end-to-end runs at once.
shm_kib="$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')"
if [[ -n "$shm_kib" && "$shm_kib" -lt 262144 ]]; then
  say "warning: /dev/shm has $((shm_kib / 1024)) MiB free; end-to-end tests may fail (docker: --shm-size=1g)" >&2
fi

say "run: ctest --test-dir build -j 2 --output-on-failure --timeout $timeout"
set +e
ctest --test-dir build -j 2 --output-on-failure --timeout "$timeout" --no-tests=error
rc=$?
set -e
say "ctest exited $rc after $((SECONDS - start)) s in all"

# The same suite again under AddressSanitizer + UndefinedBehaviorSanitizer, in build-asan/ (the
# fuzz test is left out: it builds its own clang+ASan targets). FACTORY_TEST_ASAN=0 skips it
# for a quicker local run; CI always runs it.
if [[ "${FACTORY_TEST_ASAN:-1}" != 0 || -n "${CI:-}" ]]; then
  say "sanitizers: scripts/sanitize.sh asan (build-asan/; log: build-asan/sanitize.log)"
  mkdir -p build-asan
  set +e
  SANITIZE_JOBS="$jobs" bash scripts/sanitize.sh asan -j 2 --timeout "$timeout" -E '^fuzz' >build-asan/sanitize.log 2>&1
  asan_rc=$?
  set -e
  grep -E "tests passed|tests failed|\*\*\*|ERROR: |runtime error" build-asan/sanitize.log | tail -n 40
  if ((asan_rc != 0)); then
    say "the ASan+UBSan run failed (exit $asan_rc); build-asan/sanitize.log has the reports" >&2
    rc=1
  fi
  say "ASan+UBSan run exited $asan_rc after $((SECONDS - start)) s in all"
fi
exit "$rc"
