#!/usr/bin/env bash
# The JSON benchmark: a file of JSON click events (bench/tools/make_clicks.sh) through factory-host
# with the tally blueprint and with the sessionize blueprint, and the machine's simdjson parse
# speed on the same file as the ceiling (bench_json_parse: one core, parsing only).
#
#   bench/json.sh [--lines N] [--rounds N] [--workshops N] [--build-dir DIR] [--no-build]
#
# Runs, in each round, in this order:
#   tally:      --source jsonl:file=F,key=user --blueprint tally --exporter null (wall clock)
#   sessionize: --source jsonl:file=F,key=user,time=ts,time_unit=ms --blueprint sessionize
#               --exporter null --contract 30m (the material clock: sessions end on 30-minute gaps);
#               the source decodes each line into sessionize's typed record (typed materials)
#   sessionize raw: the same with typed=false (the line's text; the blueprint parses it again)
#   sessionize[ raw], wall clock: both again with --clock wall (no session ends before the input
#               does: the contract timer wheel's cost on the material clock left out)
#   ceiling:    bench_json_parse F user (dom: every line parsed whole; ondemand: the key found;
#               sessionize: the one-loop reference, parse and sessionize on one core)
# and prints a markdown table of lines/s and MB/s (whole-process wall time for the factory runs,
# the parsing loop alone for the ceiling): median (min-max) over the rounds. Progress goes to
# stderr. Exits 1 when a run failed or its accounts did not balance (its log is kept), 2 on bad
# arguments.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$src/build-bench"
lines=2000000
rounds=3
workshops=$(nproc)
do_build=1

usage() {
    sed -n '5,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    echo "bench/json.sh: $1" >&2
    exit 2
}
while (($#)); do
    case "$1" in
    --lines) lines=${2:?}; shift ;;
    --rounds) rounds=${2:?}; shift ;;
    --workshops) workshops=${2:?}; shift ;;
    --build-dir) build=${2:?}; shift ;;
    --no-build) do_build=0 ;;
    -h | --help) usage "help" ;;
    *) usage "unknown option '$1'" ;;
    esac
    shift
done
[[ $lines =~ ^[1-9][0-9]*$ ]] || usage "--lines must be a whole number of at least 1"
[[ $rounds =~ ^[1-9][0-9]*$ ]] || usage "--rounds must be a whole number of at least 1"
[[ $workshops =~ ^[1-9][0-9]*$ ]] || usage "--workshops must be a whole number of at least 1"

log() { echo "json: $*" >&2; }

if ((do_build)); then
    log "building in $build"
    if [[ ! -f $build/CMakeCache.txt ]]; then
        cmake -S "$src" -B "$build" -G Ninja -DFACTORY_BUILD_BENCH=ON >/dev/null
    else
        cmake -S "$src" -B "$build" -DFACTORY_BUILD_BENCH=ON >/dev/null
    fi
    ninja -C "$build" -j2 factory-host source_jsonl blueprint_tally blueprint_sessionize exporter_null \
        bench_json_parse >&2
fi
host="$build/bin/factory-host"
parse="$build/bin/bench_json_parse"
for exe in "$host" "$parse"; do
    [[ -x $exe ]] || { echo "bench/json.sh: $exe is missing; build it or drop --no-build" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/factory-json.XXXXXX")
keep_work=0
cleanup() { ((keep_work)) || rm -rf "$work"; }
trap cleanup EXIT
file="$work/clicks.jsonl"
log "writing $lines click events to $file"
"$src/bench/tools/make_clicks.sh" "$lines" >"$file"
bytes=$(stat -c %s "$file")
results="$work/results.tsv"

now_ns() { date +%s%N; }
# One factory run: $1 a name, then factory-host's options. Records lines/s and MB/s.
run_factory() {
    local name=$1
    shift
    local t0 t1 log="$work/$name.log"
    t0=$(now_ns)
    if ! timeout 600 "$host" "$@" --workshops "$workshops" >"$log" 2>&1 ||
        ! grep -q "purchased $lines = assembled $lines + dead-lettered 0 .*| balanced" "$log"; then
        keep_work=1
        echo "bench/json.sh: the $name run failed or did not balance; its log: $log" >&2
        exit 1
    fi
    t1=$(now_ns)
    awk -v n="$name" -v l="$lines" -v b="$bytes" -v ns=$((t1 - t0)) \
        'BEGIN { s = ns / 1e9; printf "%s\t%.6g\t%.6g\n", n, l / s, b / s / 1e6 }' >>"$results"
}

for ((r = 1; r <= rounds; r++)); do
    log "round $r of $rounds"
    run_factory tally --source "jsonl:file=$file,key=user" --blueprint tally --exporter null
    run_factory sessionize --source "jsonl:file=$file,key=user,time=ts,time_unit=ms" \
        --blueprint sessionize --exporter null --contract 30m
    run_factory "sessionize raw" --source "jsonl:file=$file,key=user,time=ts,time_unit=ms,typed=false" \
        --blueprint sessionize --exporter null --contract 30m
    run_factory "sessionize, wall clock" --source "jsonl:file=$file,key=user,time=ts,time_unit=ms" \
        --blueprint sessionize --exporter null --contract 30m --clock wall
    run_factory "sessionize raw, wall clock" --source "jsonl:file=$file,key=user,time=ts,time_unit=ms,typed=false" \
        --blueprint sessionize --exporter null --contract 30m --clock wall
    "$parse" "$file" user | awk '$1 == "dom" || $1 == "ondemand" {
        printf "ceiling: simdjson %s\t%.6g\t%.6g\n", $1, $2 / $4, $3 / $4 / 1e6 }
        $1 == "sessionize" { printf "reference: one-loop sessionize\t%.6g\t%.6g\n", $2 / $4, $3 / $4 / 1e6 }' >>"$results"
done

impl=$("$parse" /dev/null 2>/dev/null | awk '$1 == "implementation" { print $2 }') || true
echo "JSON benchmark: $lines lines, $bytes bytes ($(awk -v b="$bytes" -v l="$lines" 'BEGIN { printf "%.0f", b / l }') per line); $workshops workshops; $rounds rounds"
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo); simdjson kernel: ${impl:-?}; commit $(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo ?)"
echo
echo "| run | lines/s | MB/s |"
echo "|---|---|---|"
for name in tally sessionize "sessionize raw" "sessionize, wall clock" "sessionize raw, wall clock" "reference: one-loop sessionize" "ceiling: simdjson dom" "ceiling: simdjson ondemand"; do
    awk -F'\t' -v n="$name" '
        function fmt(x) { return x >= 1e6 ? sprintf("%.2fM", x / 1e6) : x >= 1e3 ? sprintf("%.1fk", x / 1e3) : sprintf("%.0f", x) }
        function med(a, k,   i, j, t) {
            for (i = 2; i <= k; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
            return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
        $1 == n { k++; l[k] = $2; m[k] = $3 }
        END {
            if (!k) exit
            ml = med(l, k); mm = med(m, k)
            printf "| %s | %s (%s-%s) | %.0f (%.0f-%.0f) |\n", n, fmt(ml), fmt(l[1]), fmt(l[k]), mm, m[1], m[k] }' "$results"
done
