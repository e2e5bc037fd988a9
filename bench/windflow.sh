#!/usr/bin/env bash
# factory against WindFlow on the benchmark's shape (bench/README.md, "WindFlow").
#
#   bench/windflow.sh --windflow DIR --fastflow DIR [--rounds N] [--count N] [--keys "K1 K2"]
#                     [--workshops W] [--plain-spin] [--build-dir DIR] [--no-build] [--out FILE]
#
# Builds (Release, in <repo>/build-windflow unless told) factory-host with the synthetic source,
# the tally blueprint and the null exporter, and bench/windflow/ against the WindFlow and FastFlow
# checkouts given (or $WINDFLOW_DIR, $FASTFLOW_DIR). Then, in each round and for each number of
# keys, runs one after the other, each timed as a whole process (wall clock, and user + system CPU
# of the process and all its children):
#   factory    factory-host --source synthetic:keys=K,count=N --blueprint tally --exporter null
#              --workshops W --quiet --expect-workers K/W+10%
#   tuned, W   bench_windflow --table open --batch 1024 --sinks W   (blocking, bounded queues)
#   tuned, 1   bench_windflow --table open --batch 1024 --sinks 1
#   tuned, 1 thread  bench_windflow --table open --batch 1024 --sinks 1 --chain 1  (the Sink fused
#              into the Source's thread: no queue at all)
#   plain, W   bench_windflow --table std --batch 0 --sinks W  (--plain-spin: bench_windflow_spin,
#              the library's default spinning, unbounded queues)
# and prints a markdown table on stdout (median, then min-max over the rounds; ratios taken within
# a round against that round's best WindFlow run); progress goes to stderr. Exits 1 when a run
# failed or did not count every record (its log is kept and named), 2 on bad arguments.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$src/build-windflow"
windflow=${WINDFLOW_DIR:-}
fastflow=${FASTFLOW_DIR:-}
rounds=3
count=30000000
keys_list="5000 1000000"
workshops=2
do_build=1
out=""
plain_exe=bench_windflow
usage() {
    sed -n '4,5p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    echo "bench/windflow.sh: $1" >&2
    exit 2
}
while (($#)); do
    case "$1" in
    --windflow) windflow=${2:?}; shift ;;
    --fastflow) fastflow=${2:?}; shift ;;
    --rounds) rounds=${2:?}; shift ;;
    --count) count=${2:?}; shift ;;
    --keys) keys_list=${2:?}; shift ;;
    --workshops) workshops=${2:?}; shift ;;
    --build-dir) build=${2:?}; shift ;;
    --no-build) do_build=0 ;;
    --out) out=${2:?}; shift ;;
    --plain-spin) plain_exe=bench_windflow_spin ;;
    -h | --help) usage "help" ;;
    *) usage "unknown option '$1'" ;;
    esac
    shift
done
[[ $rounds =~ ^[1-9][0-9]*$ ]] || usage "--rounds must be a whole number of at least 1"
[[ $count =~ ^[1-9][0-9]*$ ]] || usage "--count must be a whole number of at least 1"
[[ $workshops =~ ^[1-9][0-9]*$ ]] || usage "--workshops must be a whole number of at least 1"
for k in $keys_list; do [[ $k =~ ^[1-9][0-9]*$ ]] || usage "--keys: '$k' is not a whole number of at least 1"; done
log() { echo "bench: $*" >&2; }

if ((do_build)); then
    [[ -f $windflow/wf/windflow.hpp ]] ||
        usage "give --windflow DIR (or WINDFLOW_DIR), the root of a WindFlow checkout (it holds wf/windflow.hpp)"
    [[ -f $fastflow/ff/ff.hpp ]] ||
        usage "give --fastflow DIR (or FASTFLOW_DIR), the root of a FastFlow checkout (it holds ff/ff.hpp)"
    log "building in $build (Release)"
    cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFACTORY_BUILD_BENCH=ON \
        -DWINDFLOW_DIR="$(cd "$windflow" && pwd)" -DFASTFLOW_DIR="$(cd "$fastflow" && pwd)" >/dev/null
    ninja -C "$build" -j2 factory-host source_synthetic blueprint_tally exporter_null bench_summary \
        bench_windflow bench_windflow_spin >&2
fi
bin="$build/bin"
for exe in factory-host bench_summary bench_windflow bench_windflow_spin; do
    [[ -x $bin/$exe ]] || { echo "bench/windflow.sh: $bin/$exe is missing; build it or drop --no-build" >&2; exit 1; }
done
if [[ $(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt") != Release ]]; then
    log "warning: $build is not a Release build; the figures are not the ones to compare"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/factory-windflow.XXXXXX")
results="$work/results.tsv"
failed=0
keep_work=0
cleanup() { ((keep_work)) || rm -rf "$work"; }
trap cleanup EXIT
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$results"; }
keys_label() { awk -v k="$1" 'BEGIN { if (k >= 1e6 && k % 1e6 == 0) printf "%dM keys", k / 1e6;
                                      else if (k >= 1e3 && k % 1e3 == 0) printf "%dk keys", k / 1e3;
                                      else printf "%d keys", k }'; }
plural() { if (($1 > 1)); then echo s; fi; }
expected_workers() { echo $(( ($1 + $2 - 1) / $2 * 11 / 10 )); }
# A watchdog against hangs, not a time limit: the plain run at a million keys did 0.3M/s on a
# loaded machine, so allow 50,000 materials/s, plus start-up and shutdown.
limit=$((count / 50000 + 60))

# timed NAME COMMAND...: runs the command under the watchdog as a whole process; sets t_wall and
# t_cpu (seconds: user + system of it and every child it waited for). Returns 1 (log kept) on failure.
timed() {
    local name=$1 rc=0 start end
    shift
    start=$(date +%s%N)
    /usr/bin/time -f '%U %S' -o "$work/$name.time" timeout -k 5 "$limit" "$@" >"$work/$name.log" 2>&1 </dev/null || rc=$?
    end=$(date +%s%N)
    if ((rc != 0)); then
        log "FAILED (exit $rc): $* (log: $work/$name.log)"
        failed=1 keep_work=1
        return 1
    fi
    t_wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f\n", (b - a) / 1e9 }')
    t_cpu=$(awk 'END { printf "%.2f\n", $1 + $2 }' "$work/$name.time")
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date +%s)
for ((round = 1; round <= rounds; ++round)); do
    for keys in $keys_list; do
        kl=$(keys_label "$keys")
        log "round $round/$rounds, $kl: factory, WindFlow tuned ($workshops sinks, 1 sink, 1 thread), WindFlow plain"
        name="factory-k$keys-r$round"
        rm -f "$work/$name.json"
        if timed "$name" "$bin/factory-host" --source "synthetic:keys=$keys,count=$count" --blueprint tally \
            --exporter null --workshops "$workshops" --quiet --expect-workers "$(expected_workers "$keys" "$workshops")" \
            --dead-letter "$work/dead" --summary-json "$work/$name.json"; then
            summary=$("$bin/bench_summary" "$work/$name.json" 2>>"$work/$name.log") || summary=""
            if ! grep -qx 'balanced=1' <<<"$summary" || ! grep -qx "purchased=$count" <<<"$summary"; then
                log "FAILED: factory-host did not purchase and assemble all $count materials (log: $work/$name.log)"
                failed=1 keep_work=1
            else
                echo "$kl	factory	$t_wall	$t_cpu" >>"$work/runs.tsv"
            fi
        fi
        for run in "tuned|bench_windflow|open|1024|$workshops|0" "tuned|bench_windflow|open|1024|1|0" \
            "tuned|bench_windflow|open|1024|1|1" "plain|$plain_exe|std|0|$workshops|0"; do
            IFS='|' read -r kind exe table batch sinks chain <<<"$run"
            name="$kind-$sinks-c$chain-k$keys-r$round"
            if timed "$name" "$bin/$exe" --keys "$keys" --count "$count" --sinks "$sinks" --table "$table" \
                --batch "$batch" --chain "$chain"; then
                label="WindFlow $kind, $sinks sink$(plural "$sinks")"
                ((chain)) && label="WindFlow $kind, 1 thread"
                echo "$kl	$label	$t_wall	$t_cpu" >>"$work/runs.tsv"
            fi
        done
        # This round's figures: rates, and the factory's over the best WindFlow run of the round.
        awk -F'\t' -v kl="$kl" -v n="$count" -v out="$results" '
            $1 == kl { wall[$2] = n / $3; cpu[$2] = n / $4; order[++m] = $2 }
            END {
                for (i = 1; i <= m; ++i) {
                    r = order[i]
                    printf "%s\t%s\tmaterials/s\t%.6g\n", kl, r, wall[r] >> out
                    printf "%s\t%s\tper CPU-second\t%.6g\n", kl, r, cpu[r] >> out
                    if (r != "factory") {
                        if (wall[r] > bw) { bw = wall[r]; bwn = r }
                        if (cpu[r] > bc) { bc = cpu[r]; bcn = r }
                    }
                }
                if (("factory" in wall) && bw > 0) {
                    printf "%s\tfactory / best WindFlow\tmaterials/s\t%.6g\n", kl, wall["factory"] / bw >> out
                    printf "%s\tfactory / best WindFlow\tper CPU-second\t%.6g\n", kl, cpu["factory"] / bc >> out
                    printf "%s\tbest WindFlow, wall\t%s\t1\n", kl, bwn >> out
                    printf "%s\tbest WindFlow, per CPU-second\t%s\t1\n", kl, bcn >> out
                }
            }' "$work/runs.tsv"
        : >"$work/runs.tsv"
    done
done
elapsed=$(($(date +%s) - started))

# Median, then (min-max), of every (keys, run, column) over the rounds.
cell() {
    awk -F'\t' -v kl="$1" -v r="$2" -v c="$3" -v ratio="${4:-0}" '
        $1 == kl && $2 == r && $3 == c { v[++n] = $4 }
        function fmt(x) {
            if (ratio) return sprintf("%.2f", x)
            if (x >= 1e6) return sprintf("%.2fM", x / 1e6)
            return sprintf("%.1fk", x / 1e3)
        }
        END {
            if (n == 0) { print "failed"; exit }
            for (i = 1; i <= n; ++i) for (j = i + 1; j <= n; ++j) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
            printf "%s (%s-%s)\n", fmt(v[int((n + 1) / 2)]), fmt(v[1]), fmt(v[n])
        }' "$results"
}
# Which WindFlow run was the round's best, and in how many rounds: "WindFlow tuned, 2 sinks: 3 of 3".
best_of() {
    awk -F'\t' -v kl="$1" -v r="$2" -v n="$rounds" '$1 == kl && $2 == r { c[$3]++ }
        END { s = ""; for (k in c) s = s (s == "" ? "" : "; ") k ": " c[k] " of " n; print s }' "$results"
}
commit_of() {
    if [[ -z $1 ]]; then echo "not given"
    elif [[ -e $1/.git ]]; then git -C "$1" rev-parse --short HEAD 2>/dev/null || echo "unknown"
    else echo "$1 (not a git checkout)"; fi
}
{
    echo "### factory-host against WindFlow"
    echo
    echo "- machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), Linux $(uname -r)"
    echo "- load average (1, 5, 15 min) before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- commit $(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown), build type" \
        "$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt"); WindFlow: $(commit_of "$windflow")," \
        "FastFlow: $(commit_of "$fastflow")"
    echo "- $rounds round(s), $count materials a run, $elapsed s in all: each cell is the median, then (min-max);" \
        "rates are materials over the whole process's wall time, and over its CPU time (user + system, all threads and children)"
    echo "- factory: \`factory-host --source synthetic:keys=K,count=$count --blueprint tally --exporter null" \
        "--workshops $workshops --quiet --expect-workers K/$workshops+10%\`"
    echo "- WindFlow tuned: \`bench_windflow --table open --batch 1024\` (open-addressing table per sink, output batches" \
        "of 1,024, blocking bounded queues; 1 thread: \`--sinks 1 --chain 1\`, the Sink fused into the Source's thread); plain: \`$plain_exe --table std --batch 0\` (std::unordered_map, no" \
        "batching, $( [[ $plain_exe == bench_windflow ]] && echo "blocking bounded queues" || echo "the library's default spinning, unbounded queues"))"
    echo "- \"factory / best WindFlow\": within each round, the factory's figure over the best of that round's WindFlow" \
        "runs, then the median over the rounds. The best:"
    for k in $keys_list; do
        kl=$(keys_label "$k")
        echo "  - $kl: by wall, $(best_of "$kl" "best WindFlow, wall"); per CPU-second, $(best_of "$kl" "best WindFlow, per CPU-second")"
    done
    echo
    echo "| keys | run | materials/s | materials per CPU-second |"
    echo "|---|---|---|---|"
    for k in $keys_list; do
        kl=$(keys_label "$k")
        for r in factory "WindFlow tuned, $workshops sink$(plural "$workshops")" "WindFlow tuned, 1 sink" \
            "WindFlow tuned, 1 thread" "WindFlow plain, $workshops sink$(plural "$workshops")"; do
            echo "| $kl | $r | $(cell "$kl" "$r" "materials/s") | $(cell "$kl" "$r" "per CPU-second") |"
        done
        echo "| $kl | **factory / best WindFlow** | $(cell "$kl" "factory / best WindFlow" "materials/s" 1) |" \
            "$(cell "$kl" "factory / best WindFlow" "per CPU-second" 1) |"
    done
} | tee ${out:+"$out"}
[[ -n $out ]] && cp "$results" "$out.tsv"

if ((failed)); then
    log "some runs failed; their logs are in $work"
    exit 1
fi
