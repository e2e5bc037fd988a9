#!/usr/bin/env bash
# The end-to-end benchmark of factory-host, with its in-run references (bench/README.md).
#
#   bench/run.sh [--quick] [--rounds N] [--seconds S] [--workshops N] [--keys "K1 K2"]
#                [--build-dir DIR] [--no-build] [--out FILE] [--micro]
#
# Builds factory-host, the plugins it runs, factory-reference and the bench tools in the build
# folder (default <repo>/build-bench, with -DFACTORY_BUILD_BENCH=ON), then measures, in rounds:
#   - the references: one tight loop, a two-process ring copy, a two-process (or 1 + N) pipeline;
#   - factory-host at full speed (synthetic source, tally blueprint, null exporter) for each
#     number of distinct keys and 1 and N workshops, right after the pipeline of the same shape,
#     so the ratio of the two is taken from adjacent runs;
# then factory-host paced at half its median full speed and at 1,000/s (latency), full speed with
# --http and a client polling /api/status every second against none, and idle (a jsonl source
# reading a pipe nobody writes to). Prints markdown tables (median, then min-max over
# the rounds) on stdout; progress goes to stderr. Exits 1 when a run failed or did not balance
# (its log is kept and named), 2 on bad arguments.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$src/build-bench"
rounds=3
seconds=3
idle_seconds=4
keys_list="5000 1000000"
workshops=$(nproc)
do_build=1
out=""
micro=0

usage() {
    sed -n '4,5p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    echo "bench/run.sh: $1" >&2
    exit 2
}

while (($#)); do
    case "$1" in
    --quick) rounds=1 seconds=1 idle_seconds=2 ;;
    --rounds) rounds=${2:?}; shift ;;
    --seconds) seconds=${2:?}; shift ;;
    --workshops) workshops=${2:?}; shift ;;
    --keys) keys_list=${2:?}; shift ;;
    --build-dir) build=${2:?}; shift ;;
    --no-build) do_build=0 ;;
    --out) out=${2:?}; shift ;;
    --micro) micro=1 ;;
    -h | --help) usage "help" ;;
    *) usage "unknown option '$1'" ;;
    esac
    shift
done
[[ $rounds =~ ^[1-9][0-9]*$ ]] || usage "--rounds must be a whole number of at least 1"
[[ $seconds =~ ^[1-9][0-9]*$ ]] || usage "--seconds must be a whole number of at least 1"
[[ $workshops =~ ^[1-9][0-9]*$ ]] || usage "--workshops must be a whole number of at least 1"

log() { echo "bench: $*" >&2; }

if ((do_build)); then
    log "building in $build"
    if [[ ! -f $build/CMakeCache.txt ]]; then
        cmake -S "$src" -B "$build" -G Ninja -DFACTORY_BUILD_BENCH=ON >/dev/null
    else
        cmake -S "$src" -B "$build" -DFACTORY_BUILD_BENCH=ON >/dev/null
    fi
    targets=(factory-host factory-reference bench_summary bench_probe bench_report
             source_synthetic source_jsonl blueprint_tally exporter_null)
    ((micro)) && targets+=(ring_bench roster_bench wheel_bench)
    ninja -C "$build" -j2 "${targets[@]}" >&2
fi
bin="$build/bin"
host="$bin/factory-host"
for exe in factory-host factory-reference bench_summary bench_probe bench_report; do
    [[ -x $bin/$exe ]] || { echo "bench/run.sh: $bin/$exe is missing; build it or drop --no-build" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/factory-bench.XXXXXX")
results="$work/results.tsv"
failed=0
keep_work=0
cleanup() { ((keep_work)) || rm -rf "$work"; }
trap cleanup EXIT

record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$results"; }
div() { awk -v a="$1" -v b="$2" -v s="${3:-1}" 'BEGIN { if (b == 0) print "failed"; else printf "%.6g\n", s * a / b }'; }
keys_label() { awk -v k="$1" 'BEGIN { if (k >= 1e6 && k % 1e6 == 0) printf "%dM keys", k / 1e6;
                                      else if (k >= 1e3 && k % 1e3 == 0) printf "%dk keys", k / 1e3;
                                      else printf "%d keys", k }'; }
shops_label() { if (($1 == 1)); then echo "1 workshop"; else echo "$1 workshops"; fi; }
limit=$((seconds * 4 + 30))

# The workers one workshop should expect with `$1` keys over `$2` workshops, with 10% to spare for
# the hash's unevenness: like the references, which size their tables once, the factory then never
# stalls during warm-up to grow its roster (--expect-workers).
expected_workers() { echo $(( ($1 + $2 - 1) / $2 * 11 / 10 )); }

# factory-host with the benchmark's plugins; $1: a name for its files, then its own options. With
# probe_at set (seconds), samples the memory of every process of the run at that moment into
# $work/<name>.mem (bench_probe mem). Sets the summary's figures as s_<key> variables; returns 1
# (log kept) when the run failed or its accounts did not balance.
probe_at=""
run_host() {
    local name=$1
    shift
    local json="$work/$name.json" logf="$work/$name.log" hp rc=0
    rm -f "$json"
    timeout -k 5 "$limit" "$host" --blueprint tally --exporter null --quiet \
        --dead-letter "$work/dead" --summary-json "$json" "$@" >"$logf" 2>&1 </dev/null &
    hp=$!
    if [[ -n $probe_at ]]; then
        sleep "$probe_at"
        "$bin/bench_probe" mem "$hp" >"$work/$name.mem" 2>>"$logf" || true
    fi
    wait "$hp" || rc=$?
    if ((rc != 0)) || ! summary=$("$bin/bench_summary" "$json" 2>>"$logf"); then
        log "FAILED (exit $rc): factory-host $* (log: $logf)"
        failed=1 keep_work=1
        return 1
    fi
    local k v
    while IFS='=' read -r k v; do printf -v "s_$k" '%s' "$v"; done <<<"$summary"
    if [[ $s_balanced != 1 ]]; then
        log "FAILED: factory-host $* did not balance its accounts (log: $logf)"
        failed=1 keep_work=1
        return 1
    fi
}

# The value of process $2's column $3 (2: resident now, 3: peak) in a bench_probe mem file $1.
mem_of() { awk -F'\t' -v p="$2" -v c="$3" '$1 == p { print $c; exit }' "$1"; }

# factory-reference MODE KEYS [CONSUMERS [RATE]]; prints its rate, or "failed". Its whole line of
# figures stays in $work/reference.last for ref_wait.
reference() {
    local line
    : >"$work/reference.last"
    if line=$(timeout -k 5 "$limit" "$bin/factory-reference" "$1" --keys "$2" --seconds "$seconds" \
        ${3:+--consumers "$3"} ${4:+--rate "$4"} 2>>"$work/reference.log"); then
        echo "$line" >"$work/reference.last"
        sed -n 's/.* rate=\([0-9.]*\).*/\1/p' <<<"$line"
    else
        log "FAILED: factory-reference $* (log: $work/reference.log)"
        failed=1 keep_work=1
        echo failed
    fi
}

# A reference run in $(...) cannot set `failed` itself: its "failed" result does it here.
note_failure() {
    local x
    for x in "$@"; do [[ $x != failed ]] || failed=1 keep_work=1; done
}

# A wait figure (p50, p99) of the last reference run, in microseconds, or "failed".
ref_wait() {
    local ns
    ns=$(sed -n "s/.* ${1}_ns=\([0-9]*\).*/\1/p" "$work/reference.last")
    if [[ -n $ns ]]; then div "$ns" 1000; else echo failed; fi
}

shops_list=1
((workshops > 1)) && shops_list="1 $workshops"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date +%s)

# Throughput: references and factory runs, interleaved round by round, so that each ratio divides
# figures measured seconds apart. The factory's rate is what it purchased over --duration (every
# material purchased is assembled: the accounts balance); the shutdown after it, which fires every
# worker, is not timed.
t_rate="materials per second"
t_lat="purchase-to-assembly latency, us"
t_mem="peak resident memory, MiB"
t_worker="memory per live worker, bytes (workshop 1, from the most to the fewest keys)"
for ((round = 1; round <= rounds; ++round)); do
    for keys in $keys_list; do
        kl=$(keys_label "$keys")
        log "round $round/$rounds, $kl: references and full speed"
        loop=$(reference loop "$keys")
        copy=$(reference copy "$keys")
        note_failure "$loop" "$copy"
        record "$t_rate" "reference: one loop, $kl" "rate" "$loop"
        record "$t_rate" "reference: ring copy, 2 processes, $kl" "rate" "$copy"
        for w in $shops_list; do
            row="factory, $kl, $(shops_label "$w")"
            pipe=$(reference pipeline "$keys" "$w")
            note_failure "$pipe"
            record "$t_rate" "reference: pipeline, 1 + $w processes, $kl" "rate" "$pipe"
            pipe_p50=$(ref_wait p50) pipe_p99=$(ref_wait p99)
            name="full-k$keys-w$w-r$round"
            probe_at=$(awk -v s="$seconds" 'BEGIN { print s * 0.8 }')
            if run_host "$name" --source "synthetic:keys=$keys" --workshops "$w" --duration "${seconds}s" \
                --expect-workers "$(expected_workers "$keys" "$w")"; then
                rate=$(div "$s_purchased" "$seconds")
                echo "$rate" >>"$work/full-k$keys-w$w.rates"
                record "$t_rate" "$row" "rate" "$rate"
                record "$t_rate" "$row" "/ pipeline, same shape" "$(div "$rate" "$pipe")"
                record "$t_rate" "$row" "/ one loop" "$(div "$rate" "$loop")"
                record "$t_rate" "$row" "/ ring copy" "$(div "$rate" "$copy")"
                record "$t_lat" "$row, full speed" "p50" "$(div "$s_p50_ns" 1000)"
                record "$t_lat" "$row, full speed" "p99" "$(div "$s_p99_ns" 1000)"
                record "$t_lat" "$row, full speed" "p99.9" "$(div "$s_p999_ns" 1000)"
                record "$t_lat" "$row, full speed" "pipeline p50" "$pipe_p50"
                record "$t_lat" "$row, full speed" "pipeline p99" "$pipe_p99"
                mrow="$kl, $(shops_label "$w")"
                ceo=$(mem_of "$work/$name.mem" factory-host 3)
                total=$((${ceo:-0} + s_rss_kib_purchasing + s_rss_kib_transportation))
                record "$t_mem" "$mrow" "factory-host" "$(div "${ceo:-0}" 1024)"
                record "$t_mem" "$mrow" "purchasing" "$(div "$s_rss_kib_purchasing" 1024)"
                for ((i = 1; i <= w; ++i)); do
                    v="s_rss_kib_workshop_$i"
                    record "$t_mem" "$mrow" "workshop $i" "$(div "${!v}" 1024)"
                    total=$((total + ${!v}))
                done
                record "$t_mem" "$mrow" "transportation" "$(div "$s_rss_kib_transportation" 1024)"
                record "$t_mem" "$mrow" "all" "$(div "$total" 1024)"
                if ((w == 1)); then
                    echo "$(mem_of "$work/$name.mem" workshop_1 2) $s_rss_kib_workshop_1 $s_live_workshop_1" \
                        >"$work/worker-k$keys-r$round"
                fi
            else
                record "$t_rate" "$row" "rate" "failed"
            fi
            probe_at=""
        done
    done
    # Memory per live worker: the difference between the one-workshop runs at the most and the
    # fewest keys, over the difference in live workers, so the process's fixed memory drops out.
    lo=$(tr ' ' '\n' <<<"$keys_list" | sort -n | head -1)
    hi=$(tr ' ' '\n' <<<"$keys_list" | sort -n | tail -1)
    if [[ $lo != "$hi" && -s $work/worker-k$lo-r$round && -s $work/worker-k$hi-r$round ]]; then
        read -r now_lo peak_lo live_lo <"$work/worker-k$lo-r$round"
        read -r now_hi peak_hi live_hi <"$work/worker-k$hi-r$round"
        wrow="$(keys_label "$hi") vs $(keys_label "$lo")"
        per() { awk -v a="$1" -v b="$2" -v x="$live_hi" -v y="$live_lo" -v s="${3:-0}" \
            'BEGIN { if (x == y || a == "" || b == "") print "failed"; else printf "%.1f\n", (a - b) * 1024 / (x - y) - s }'; }
        record "$t_worker" "$wrow" "resident, at 80% of the run" "$(per "$now_hi" "$now_lo")"
        record "$t_worker" "$wrow" "of which beyond tally's 8-byte state" "$(per "$now_hi" "$now_lo" 8)"
        record "$t_worker" "$wrow" "peak (includes the last roster growth)" "$(per "$peak_hi" "$peak_lo")"
    fi
done

# Latency at half of the median full speed and at 1,000/s.
for ((round = 1; round <= rounds; ++round)); do
    for keys in $keys_list; do
        kl=$(keys_label "$keys")
        for w in $shops_list; do
            row="factory, $kl, $(shops_label "$w")"
            [[ -s $work/full-k$keys-w$w.rates ]] || continue
            full=$(sort -g "$work/full-k$keys-w$w.rates" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
            half=$(awk -v r="$full" 'BEGIN { printf "%.0f\n", r / 2 }')
            for rate in "$half" 1000; do
                label="half speed ($(awk -v r="$half" 'BEGIN { printf "%.3gM/s", r / 1e6 }'))"
                ((rate == 1000)) && label="1,000/s"
                log "round $round/$rounds, $kl, $(shops_label "$w"): paced at $rate/s"
                reference pipeline "$keys" "$w" "$rate" >/dev/null
                record "$t_lat" "$row, $label" "pipeline p50" "$(ref_wait p50)"
                record "$t_lat" "$row, $label" "pipeline p99" "$(ref_wait p99)"
                if run_host "paced-k$keys-w$w-$rate-r$round" --source "synthetic:keys=$keys" --workshops "$w" \
                    --duration "${seconds}s" --rate "$rate" --expect-workers "$(expected_workers "$keys" "$w")"; then
                    record "$t_lat" "$row, $label" "p50" "$(div "$s_p50_ns" 1000)"
                    record "$t_lat" "$row, $label" "p99" "$(div "$s_p99_ns" 1000)"
                    record "$t_lat" "$row, $label" "p99.9" "$(div "$s_p999_ns" 1000)"
                else
                    record "$t_lat" "$row, $label" "p99" "failed"
                fi
            done
        done
    done
done

# Serving operations over HTTP: the same full-speed run with --http and a client that reads
# /api/status every second, against none, alternated within each round (the ratio is per round).
t_http="--http while a client polls /api/status every second"
keys=${keys_list%% *}
w=${shops_list##* }
port=$((20000 + $$ % 20000))
for ((round = 1; round <= rounds; ++round)); do
    log "round $round/$rounds, $(keys_label "$keys"), $(shops_label "$w"): with and without --http"
    run_host "nohttp-r$round" --source "synthetic:keys=$keys" --workshops "$w" --duration "${seconds}s" || continue
    plain=$(div "$s_purchased" "$seconds")
    ( for ((i = 0; i < seconds + 3; ++i)); do
          sleep 1
          curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/api/status" || true
      done ) &
    poller=$!
    if run_host "http-r$round" --source "synthetic:keys=$keys" --workshops "$w" --duration "${seconds}s" \
        --http "127.0.0.1:$port"; then
        served=$(div "$s_purchased" "$seconds")
        record "$t_rate" "$t_http" "rate" "$served"
        record "$t_rate" "$t_http" "/ without --http" "$(div "$served" "$plain")"
    else
        record "$t_rate" "$t_http" "rate" "failed"
    fi
    kill "$poller" 2>/dev/null || true
    wait "$poller" 2>/dev/null || true
done

# Checkpoints: the same full-speed run with --checkpoint every second (the default is 10 s: this
# asks for several per run) against none, alternated within each round; then the size and time of
# one checkpoint of every live worker, and the time to restore it (a savepoint, then a run that
# resumes from it, with the page cache warm).
t_ck="checkpoints every 1s (--checkpoint)"
w=${shops_list##* }
for keys in $keys_list; do
    for ((round = 1; round <= rounds; ++round)); do
        log "round $round/$rounds, $(keys_label "$keys"), $(shops_label "$w"): with and without --checkpoint"
        ew=$(expected_workers "$keys" "$w")
        run_host "nock-$keys-r$round" --source "synthetic:keys=$keys" --workshops "$w" --duration "${seconds}s" \
            --expect-workers "$ew" || continue
        plain=$(div "$s_purchased" "$seconds")
        rm -rf "$work/ck"
        if run_host "ck-$keys-r$round" --source "synthetic:keys=$keys" --workshops "$w" --duration "${seconds}s" \
            --expect-workers "$ew" --checkpoint "$work/ck" --checkpoint-every 1s --on-stop savepoint; then
            row="$t_ck, $(keys_label "$keys")"
            record "$t_rate" "$row" "rate" "$(div "$s_purchased" "$seconds")"
            record "$t_rate" "$row" "/ without --checkpoint" "$(div "$(div "$s_purchased" "$seconds")" "$plain")"
            record "$t_ck" "$(keys_label "$keys"), $(shops_label "$w")" "longest checkpoint, ms" "$s_ck_longest_ms"
            record "$t_ck" "$(keys_label "$keys"), $(shops_label "$w")" "savepoint, MiB" "$(div "$s_ck_last_bytes" 1048576)"
            record "$t_ck" "$(keys_label "$keys"), $(shops_label "$w")" "workers in it" "$s_ck_kept_workers"
            if run_host "resume-$keys-r$round" --source "synthetic:keys=$keys" --workshops "$w" --duration 1s \
                --expect-workers "$ew" --checkpoint "$work/ck" --checkpoint-every 1s --on-stop savepoint; then
                record "$t_ck" "$(keys_label "$keys"), $(shops_label "$w")" "restore, ms" "$s_ck_restore_ms"
            fi
            # The pause a barrier causes: purchase-to-assembly waits at half the full speed, with a
            # checkpoint every second against none.
            half=$(awk -v r="$plain" 'BEGIN { printf "%d", r / 2 }')
            rm -rf "$work/ck"
            if run_host "halfnock-$keys-r$round" --source "synthetic:keys=$keys" --workshops "$w" --duration "${seconds}s" \
                --expect-workers "$ew" --rate "$half"; then
                record "$t_ck" "$(keys_label "$keys"), $(shops_label "$w"), half speed" "p99.9 without, us" "$(div "$s_p999_ns" 1000)"
            fi
            if run_host "halfck-$keys-r$round" --source "synthetic:keys=$keys" --workshops "$w" --duration "${seconds}s" \
                --expect-workers "$ew" --rate "$half" --checkpoint "$work/ck" --checkpoint-every 1s; then
                record "$t_ck" "$(keys_label "$keys"), $(shops_label "$w"), half speed" "p99.9 with, us" "$(div "$s_p999_ns" 1000)"
            fi
        else
            record "$t_rate" "$t_ck, $(keys_label "$keys")" "rate" "failed"
        fi
    done
done
rm -rf "$work/ck"

# Idle: a jsonl source on a pipe that stays open and silent. The FIFO is held open read-write by
# this shell (fd 7), so the host's stdin never sees end of input.
mkfifo "$work/idle.fifo"
exec 7<>"$work/idle.fifo"
for ((round = 1; round <= rounds; ++round)); do
    log "round $round/$rounds: idle, $(shops_label "$workshops")"
    timeout -k 5 "$limit" "$host" --source jsonl:file=- --blueprint tally --exporter null --quiet \
        --workshops "$workshops" --dead-letter "$work/dead" --duration "$((idle_seconds + 2))s" \
        <"$work/idle.fifo" >"$work/idle-r$round.log" 2>&1 &
    hp=$!
    sleep 1.5 # start-up, and the loops' spin and yield steps before they sleep
    if probe=$("$bin/bench_probe" cpu "$hp" "$idle_seconds"); then
        while IFS=$'\t' read -r proc pct; do
            [[ $proc == timeout ]] && continue # the watchdog, not the factory
            [[ $proc == workshop_* ]] && proc="workshop ${proc#workshop_}"
            record "CPU while idle, % of one core" "$proc" "CPU" "$pct"
        done <<<"$probe"
    else
        record "CPU while idle, % of one core" "total" "CPU" "failed"
        failed=1 keep_work=1
    fi
    wait "$hp" || { log "FAILED: the idle run (log: $work/idle-r$round.log)"; failed=1 keep_work=1; }
done
exec 7>&-

elapsed=$(($(date +%s) - started))
{
    echo "### factory-host benchmark"
    echo
    echo "- machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), Linux $(uname -r)"
    echo "- load average (1, 5, 15 min) before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- commit $(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$src" diff --quiet HEAD -- host plugins sdk 2>/dev/null || echo ' (host, plugins or sdk modified)'), build type $(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt")"
    echo "- $rounds round(s) of ${seconds} s runs, $elapsed s in all: each cell is the median, then (min-max)"
    echo "- factory: \`factory-host --source synthetic:keys=K --blueprint tally --exporter null --workshops W --duration ${seconds}s --expect-workers K/W+10%\`" \
        "(paced: \`--rate R\`); its rate is what it purchased over the duration"
    echo "- \"/ pipeline, same shape\", \"/ one loop\", \"/ ring copy\": the factory's rate over that reference's, each" \
        "ratio taken within one round (the references run just before the factory), then the median over the rounds"
    echo "- \"pipeline p50\", \"pipeline p99\": the waits in the reference pipeline of the same shape at the same pace," \
        "run just before the factory: what the machine allowed at that moment"
    echo
    "$bin/bench_report" "$results" "run"
} | tee ${out:+"$out"}
[[ -n $out ]] && cp "$results" "$out.tsv"

if ((micro)); then
    for b in ring_bench roster_bench wheel_bench; do
        log "micro-benchmark $b"
        "$bin/$b" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true >&2
    done
fi

if ((failed)); then
    log "some runs failed; their logs are in $work"
    exit 1
fi
