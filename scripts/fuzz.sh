#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ with clang (ASan + UBSan) and runs each for a while.
#
#   scripts/fuzz.sh                 the longer run: every target for 10 minutes (600 s)
#   scripts/fuzz.sh 5               every target for 5 s (what ctest runs: tests/fuzz/)
#   scripts/fuzz.sh 3600 sdk_json   one target for an hour
#
# Environment: FUZZ_BUILD_DIR (default: build-fuzz/ at the repository root), FUZZ_JOBS (build
# jobs, default 2). Each target grows its corpus in $FUZZ_BUILD_DIR/corpus/<target>/ (the seeds in
# fuzz/corpus/<target>/ are only read); an input that crashes is written to
# $FUZZ_BUILD_DIR/artifacts/, and the script ends with 1 and says how to replay it.
# Exit codes: 0 no crash, 1 a target crashed, 2 build failure, 77 clang is not installed (skip).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-600}"
shift || true
build="${FUZZ_BUILD_DIR:-$root/build-fuzz}"
jobs="${FUZZ_JOBS:-2}"

if ! [[ "$seconds" =~ ^[0-9]+$ ]] || ((seconds == 0)); then
  echo "fuzz.sh: seconds per target must be a positive whole number, got '$seconds'" >&2
  exit 2
fi
if ! command -v clang++ >/dev/null; then
  echo "fuzz.sh: clang++ not found; install it with scripts/install-deps.sh (packages clang, libclang-rt-14-dev)" >&2
  exit 77
fi

# Every fuzz/<name>.cpp is a target, unless named on the command line.
if (($# > 0)); then
  targets=("$@")
else
  targets=()
  for f in "$root"/fuzz/*.cpp; do targets+=("$(basename "$f" .cpp)"); done
fi

if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S "$root/fuzz" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ >/dev/null || exit 2
fi
ninja -C "$build" -j "$jobs" "${targets[@]}" >/dev/null || {
  echo "fuzz.sh: building the fuzz targets failed; run: ninja -C $build" >&2
  exit 2
}

# Per-target libFuzzer flags: the largest input and the dictionary.
flags_for() {
  case "$1" in
    source_jsonl_lines) echo "-max_len=16384 -dict=$root/fuzz/json.dict" ;;
    source_pcap_capture) echo "-max_len=16384" ;;
    sdk_json | source_jsonl_key_rule | blueprint_widget_material) echo "-max_len=4096 -dict=$root/fuzz/json.dict" ;;
    *) echo "-max_len=4096" ;;
  esac
}

mkdir -p "$build/artifacts"
failed=()
for t in "${targets[@]}"; do
  work="$build/corpus/$t"
  seeds="$root/fuzz/corpus/$t"
  mkdir -p "$work"
  log="$build/$t.log"
  # shellcheck disable=SC2046 # the flags are words on purpose
  if "$build/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$build/artifacts/$t-" $(flags_for "$t") "$work" "$seeds" >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    echo "fuzz.sh: $t: no crash in ${seconds}s ($runs inputs, corpus $(ls "$work" | wc -l) files)"
  else
    failed+=("$t")
    echo "fuzz.sh: $t: CRASHED; its output follows (also in $log)" >&2
    grep -v '^#[0-9]' "$log" | tail -40 >&2
    artifact=$(grep -o "Test unit written to [^ ]*" "$log" | tail -1 | cut -d' ' -f5 || true)
    [[ -n "$artifact" ]] && echo "fuzz.sh: replay with: $build/$t $artifact" >&2
  fi
done

if ((${#failed[@]} > 0)); then
  echo "fuzz.sh: crashed: ${failed[*]}" >&2
  exit 1
fi
