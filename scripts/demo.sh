#!/usr/bin/env bash
# From a fresh Debian 12 machine to a running factory, in one command (run as root, or with sudo
# available): installs what building and running needs, configures and builds into build/, then
# runs factory-host on its defaults for 5 seconds (synthetic source, widget blueprint, jsonl
# exporter into ./factory-out). Works from any folder; when everything is built it only runs.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
say() { printf 'demo: %s\n' "$*"; }
jobs="$(nproc 2>/dev/null || echo 2)"

say "dependencies: scripts/install-deps.sh --run (apt-get, only when something is missing)"
bash scripts/install-deps.sh --run

if [[ -f build/CMakeCache.txt && ! -f build/build.ninja ]]; then
  say "build/ was configured with another generator than Ninja; remove it (rm -rf build) and run again" >&2
  exit 1
fi
if [[ ! -f build/build.ninja ]]; then
  say "configure: cmake -S . -B build -G Ninja (RelWithDebInfo, no tests; log: build/configure.log)"
  mkdir -p build
  if ! cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFACTORY_BUILD_TESTS=OFF \
       >build/configure.log 2>&1; then
    cat build/configure.log >&2
    say "configuring failed; the log above says why" >&2
    exit 1
  fi
fi

say "build: cmake --build build -j $jobs (log: build/build.log)"
if ! cmake --build build --parallel "$jobs" >build/build.log 2>&1; then
  tail -n 60 build/build.log >&2
  say "building failed; the end of build/build.log is above" >&2
  exit 1
fi

# The jsonl exporter refuses to write into files an earlier run left (mode=refuse); the demo
# replaces them, so that it runs again and again and the files hold this run alone.
say "run: build/bin/factory-host --duration 5s --exporter jsonl:mode=replace (from $root)"
rm -rf factory-dead-letter
build/bin/factory-host --duration 5s --exporter jsonl:mode=replace

say "products (JSON lines, one file per pclass) in $root/factory-out:"
for f in factory-out/*.jsonl; do
  [[ -e "$f" ]] || continue
  printf '  %-28s %8d lines\n' "$f" "$(wc -l <"$f")"
done
first="$(ls factory-out/*.jsonl 2>/dev/null | head -n 1 || true)"
[[ -n "$first" ]] && say "one product from $first: $(head -n 1 "$first")"
say "next: build/bin/factory-host --help, build/bin/factory-host plugins"
