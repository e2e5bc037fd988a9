#!/usr/bin/env bash
# The Kafka benchmark (issue 16, Speed): a keyed topic on librdkafka's mock cluster read by kcat and
# by factory-host's kafka source, and by two hosts in one consumer group against one.
#
#   bench/kafka.sh [--records N] [--partitions P] [--rounds R] [--workshops W] [--idle-end DUR]
#                  [--build-dir DIR] [--no-build] [--out FILE]
#
# Starts factory-kafka-mock with one topic of P partitions (default 48), fills it with N click events
# (default 2,000,000; bench/tools/make_clicks.sh's JSON lines, keyed by their user with kcat -K),
# then runs, in each round, in this order (the reverse in even rounds):
#   kcat:        kcat -C -b ADDR -t T -o beginning -e -q >/dev/null (no group: kcat's own -e needs
#                a plain assignment)
#   1 host:      factory-host --source kafka:brokers=ADDR,topic=T,group=G,start=earliest,idle_end=DUR,
#                session_timeout=60s --blueprint tally --exporter null, with --workshops W (default
#                nproc) and with 1
#   2 hosts:     two such runs with --workshops 1 in one new group, started together
# Every factory run has a group of its own (nothing committed by an earlier run counts) and must read
# every record once, balance and dead-letter nothing (a pair that read records twice is run again,
# twice at most). Prints markdown tables of materials/s and the ratios within a round, CPU seconds
# and the seconds left out: median (min-max) over the rounds. Progress goes to stderr. Exits 1 when
# a run failed, or a pair of hosts still read records twice (after the tables; the logs are kept
# and named), 2 on bad arguments.
#
# What is timed: kcat as a whole process, and less its fixed cost (the same command on a topic of one
# record a partition). A factory run from the log line of its first assignment ("group 'G' gives
# this run ...") to its last line (the accounting, after the drain), less idle_end: the group's
# join before (about 3 s, the broker's initial rebalance delay) and the idle_end wait after are not
# work. Two hosts: from the earlier assignment to the later end. bench/README.md says more.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$src/build-bench"
records=2000000
partitions=48
rounds=3
workshops=$(nproc)
idle_end=2
do_build=1
out=""

usage() {
    sed -n '5,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    echo "bench/kafka.sh: $1" >&2
    exit 2
}
while (($#)); do
    case "$1" in
    --records) records=${2:?}; shift ;;
    --partitions) partitions=${2:?}; shift ;;
    --rounds) rounds=${2:?}; shift ;;
    --workshops) workshops=${2:?}; shift ;;
    --idle-end) idle_end=${2:?}; shift ;;
    --build-dir) build=${2:?}; shift ;;
    --no-build) do_build=0 ;;
    --out) out=${2:?}; shift ;;
    -h | --help) usage "help" ;;
    *) usage "unknown option '$1'" ;;
    esac
    shift
done
[[ $records =~ ^[1-9][0-9]*$ ]] || usage "--records must be a whole number of at least 1"
[[ $partitions =~ ^[1-9][0-9]*$ ]] || usage "--partitions must be a whole number of at least 1"
[[ $rounds =~ ^[1-9][0-9]*$ ]] || usage "--rounds must be a whole number of at least 1"
[[ $workshops =~ ^[1-9][0-9]*$ ]] || usage "--workshops must be a whole number of at least 1"
idle_end=${idle_end%s}
[[ $idle_end =~ ^[0-9]+(\.[0-9]+)?$ ]] && awk -v d="$idle_end" 'BEGIN { exit !(d >= 0.1) }' ||
    usage "--idle-end must be a number of seconds of at least 0.1 (e.g. 2 or 0.5s)"
# librdkafka's mock keeps at most 5 MiB of batches per partition and silently drops the oldest beyond
# it (a fixed limit in 2.0.2). A click event takes about 100 bytes there: stay well under.
per_partition=$(((records + partitions - 1) / partitions))
if ((per_partition > 45000)); then
    usage "$records records in $partitions partitions is $per_partition a partition; the mock cluster keeps at most 5 MiB (about 50,000 click events) of each partition: use --partitions $(((records + 44999) / 45000)) or more"
fi

log() { echo "kafka bench: $*" >&2; }
command -v kcat >/dev/null || { echo "bench/kafka.sh: kcat is missing (Debian: apt-get install kcat)" >&2; exit 1; }

if ((do_build)); then
    log "building in $build"
    if [[ ! -f $build/CMakeCache.txt ]]; then
        cmake -S "$src" -B "$build" -G Ninja -DFACTORY_BUILD_BENCH=ON >/dev/null
    else
        cmake -S "$src" -B "$build" -DFACTORY_BUILD_BENCH=ON >/dev/null
    fi
    # factory-kafka-mock lives with the tests (tests/kafka/tools): it needs FACTORY_BUILD_TESTS (on
    # by default).
    ninja -C "$build" -j2 factory-host factory-kafka-mock bench_report source_kafka blueprint_tally \
        exporter_null >&2
fi
bin="$build/bin"
host="$bin/factory-host"
for exe in factory-host factory-kafka-mock bench_report; do
    [[ -x $bin/$exe ]] || { echo "bench/kafka.sh: $bin/$exe is missing; build it (factory-kafka-mock needs -DFACTORY_BUILD_TESTS=ON) or drop --no-build" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/factory-kafka.XXXXXX")
results="$work/results.tsv"
keep_work=0
mock_pid=""
cleanup() {
    if [[ -n $mock_pid ]]; then
        kill "$mock_pid" 2>/dev/null || true
        wait "$mock_pid" 2>/dev/null || true
    fi
    ((keep_work)) || rm -rf "$work"
}
trap cleanup EXIT
fail() {
    keep_work=1
    echo "bench/kafka.sh: $*" >&2
    exit 1
}

record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$results"; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) print "failed"; else printf "%.6g\n", a / b }'; }
now_ns() { date +%s%N; }

# The mock cluster, for the whole benchmark; its stdin is /dev/null, so it runs until killed.
topic=clicks
"$bin/factory-kafka-mock" --topic "$topic:$partitions" --topic "tiny:$partitions" </dev/null >"$work/mock.out" 2>"$work/mock.err" &
mock_pid=$!
for ((i = 0; i < 300; ++i)); do
    [[ -s $work/mock.out ]] && break
    kill -0 "$mock_pid" 2>/dev/null || fail "factory-kafka-mock did not start: $(cat "$work/mock.err")"
    sleep 0.1
done
brokers=$(head -1 "$work/mock.out")
[[ -n $brokers ]] || fail "factory-kafka-mock printed no address in 30 s (log: $work/mock.err)"
log "mock cluster at $brokers; writing $records click events into $topic ($partitions partitions)"

# The records, keyed by their user: kcat -K splits each line at the first tab into key and value.
"$src/bench/tools/make_clicks.sh" "$records" | awk -F'[:,]' '{ print $2 "\t" $0 }' >"$work/clicks.keyed"
bytes=$(($(stat -c %s "$work/clicks.keyed") - $(awk -F'\t' '{ n += length($1) + 1 } END { print n + 0 }' "$work/clicks.keyed")))
t0=$(now_ns)
kcat -P -b "$brokers" -t "$topic" -K $'\t' <"$work/clicks.keyed" 2>"$work/produce.err" ||
    fail "kcat -P failed: $(cat "$work/produce.err")"
t1=$(now_ns)
rm -f "$work/clicks.keyed"
# Every record must still be there (see the mock's limit above), each partition read to its end.
held=$(kcat -C -b "$brokers" -t "$topic" -o beginning -e -q -f '%p\n' | wc -l)
((held == records)) ||
    fail "the topic holds $held of the $records records written: the mock cluster dropped the oldest of a partition over 5 MiB; use more --partitions"
# kcat's fixed cost: the same command on a topic of one record a partition. At the end of each
# partition the broker holds kcat's last fetch for fetch.wait.max.ms (500 ms) before -e sees the end;
# the factory's timing leaves that wait out (it falls within idle_end).
for ((p = 0; p < partitions; ++p)); do
    printf '%s\t%s\n' "$p" '{"user":1,"ts":1,"page":"/","event":"click","ref":"direct"}' |
        kcat -P -b "$brokers" -t tiny -p "$p" -K $'\t' 2>>"$work/produce.err" || fail "kcat -P failed: $(cat "$work/produce.err")"
done
log "written in $(awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.2f", ns / 1e9 }') s; all $held are there"

# The seconds of day of a log line's "HH:MM:SS.mmm" stamp.
stamp_of() { awk '{ split($1, t, ":"); printf "%.3f\n", t[1] * 3600 + t[2] * 60 + t[3]; exit }'; }

# CPU seconds (user + system): of the mock cluster so far, from /proc; of the processes a subshell
# waited for, from the last line of its `times` ("0m1.250s 0m0.300s"), which takes in factory-host's
# children (it waits for them) and kcat.
tick=$(getconf CLK_TCK)
mock_cpu() { awk -v t="$tick" '{ printf "%.3f\n", ($14 + $15) / t }' "/proc/$mock_pid/stat"; }
cpu_of_times() {
    awk 'END { split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%.3f\n", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$1"
}

# The group's session timeout, long so that the heartbeats (a third of it) are rarer than a run:
# the first host of a pair to finish leaves the group, and the other, if it heard of the rebalance
# before its own end, would give back its partitions uncommitted and be given them again, reading
# them again from the start (the source keeps no position across a rebalance). That is a cost of
# the benchmark's finite topic, not of the reading; "read twice" shows it if it happens anyway.
session_timeout=60

# Starts one factory-host in the background: $1 a name for its files, $2 the workshops, $3 the
# group. Its pid (a subshell's, with the host's exit code) is left in $hp; its CPU goes to
# $work/$1.cpu.
start_host() {
    (
        rc=0
        timeout -k 5 600 "$host" --source "kafka:brokers=$brokers,topic=$topic,group=$3,start=earliest,idle_end=${idle_end}s,session_timeout=${session_timeout}s" \
            --blueprint tally --exporter null --workshops "$2" --dead-letter "$work/dead-$1" \
            >"$work/$1.log" 2>&1 </dev/null || rc=$?
        times >"$work/$1.cpu"
        exit "$rc"
    ) &
    hp=$!
}

# After a host ended with exit code $2: checks its log ($1's) and sets h_run, h_assign, h_end
# (seconds of day: the first line, the first assignment, the last line) and h_purchased. The run
# must have balanced with nothing dead-lettered.
read_host() {
    local logf="$work/$1.log" acc
    (($2 == 0)) || fail "factory-host ($1) exited with $2; its log: $logf"
    acc=$(grep -m1 ' accounting .* purchased [0-9]* = assembled [0-9]* + dead-lettered 0 .*| balanced$' "$logf") ||
        fail "factory-host ($1) did not balance, or dead-lettered materials; its log: $logf"
    h_purchased=$(sed 's/.* purchased \([0-9]*\) = .*/\1/' <<<"$acc")
    h_run=$(stamp_of <"$logf")
    h_assign=$(grep -m1 "gives this run" "$logf" | stamp_of)
    [[ -n $h_assign ]] || fail "factory-host ($1) was given no partition; its log: $logf"
    h_end=$(tail -1 "$logf" | stamp_of)
}

# Seconds from $1 to $2 (seconds of day; a run that spans midnight wraps once), less $3.
span() { awk -v a="$1" -v b="$2" -v less="${3:-0}" 'BEGIN { d = b - a; if (d < -43200) d += 86400; printf "%.3f\n", d - less }'; }

t_rate="materials per second: $records records, $partitions partitions"
t_cpu="CPU seconds of the whole run (user + system; a factory run's include its group join and idle_end)"
t_not="seconds not counted (factory: the group join; idle_end, ${idle_end} s, is subtracted; kcat: its fixed cost)"
row_kcat="kcat -C -o beginning -e -q >/dev/null"
row_kcat_net="kcat, less its fixed cost"
row_w="factory, 1 host, $workshops workshops"
row_1="factory, 1 host, 1 workshop"
row_2="factory, 2 hosts in one group, 1 workshop each"
shops_list=1
((workshops > 1)) && shops_list="$workshops 1"
replayed=0
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date +%s)

# One kcat run in round $1: sets kcat_rate and kcat_net (less its fixed cost).
run_kcat() {
    local m0 m1 t0 t1 secs fixed
    log "round $1 of $rounds: kcat"
    m0=$(mock_cpu)
    t0=$(now_ns)
    ( kcat -C -b "$brokers" -t "$topic" -o beginning -e -q >/dev/null 2>"$work/kcat-r$1.err" && times >"$work/kcat-r$1.cpu" ) ||
        fail "kcat -C failed: $(cat "$work/kcat-r$1.err")"
    t1=$(now_ns)
    m1=$(mock_cpu)
    secs=$(awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.3f\n", ns / 1e9 }')
    kcat_rate=$(div "$records" "$secs")
    t0=$(now_ns)
    kcat -C -b "$brokers" -t tiny -o beginning -e -q >/dev/null 2>"$work/kcat-r$1.err" ||
        fail "kcat -C failed: $(cat "$work/kcat-r$1.err")"
    t1=$(now_ns)
    fixed=$(awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.3f\n", ns / 1e9 }')
    kcat_net=$(div "$records" "$(awk -v a="$secs" -v b="$fixed" 'BEGIN { print a - b }')")
    record "$t_rate" "$row_kcat" "materials/s" "$kcat_rate"
    record "$t_rate" "$row_kcat" "seconds" "$secs"
    record "$t_rate" "$row_kcat_net" "materials/s" "$kcat_net"
    record "$t_rate" "$row_kcat_net" "seconds" "$(awk -v a="$secs" -v b="$fixed" 'BEGIN { printf "%.3f\n", a - b }')"
    record "$t_cpu" "$row_kcat" "client" "$(cpu_of_times "$work/kcat-r$1.cpu")"
    record "$t_cpu" "$row_kcat" "mock cluster" "$(awk -v a="$m0" -v b="$m1" 'BEGIN { printf "%.3f\n", b - a }')"
    record "$t_not" "$row_kcat" "fixed cost" "$fixed"
}

# One host with $2 workshops in round $1: sets host_rate[$2].
declare -A host_rate
run_one() {
    local name="r$1-w$2" row=$row_1 m0 rc=0 secs
    (($2 > 1)) && row=$row_w
    log "round $1 of $rounds: 1 host, $2 workshop(s)"
    m0=$(mock_cpu)
    start_host "$name" "$2" "bench-$name"
    wait "$hp" || rc=$?
    record "$t_cpu" "$row" "client" "$(cpu_of_times "$work/$name.cpu")"
    record "$t_cpu" "$row" "mock cluster" "$(awk -v a="$m0" -v b="$(mock_cpu)" 'BEGIN { printf "%.3f\n", b - a }')"
    read_host "$name" "$rc"
    ((h_purchased == records)) || fail "factory-host ($name) read $h_purchased of $records records; its log: $work/$name.log"
    secs=$(span "$h_assign" "$h_end" "$idle_end")
    host_rate[$2]=$(div "$records" "$secs")
    record "$t_rate" "$row" "materials/s" "${host_rate[$2]}"
    record "$t_rate" "$row" "seconds" "$secs"
    record "$t_not" "$row" "group join" "$(span "$h_run" "$h_assign")"
}

# Two hosts with 1 workshop each in one group in round $1, started together: sets pair_rate and
# pair_twice (the records read twice). A pair that read records twice is run again, twice at most
# (counted in pair_again): with the mock cluster, about one pair in seven had a host given no
# partition until the other had left the group (then its commit at the end fails with "Group
# rebalance in progress", and the late host reads everything).
pair_again=0
run_pair() {
    local attempt name m0 mock pa pb rc_a rc_b a_run a_assign a_end a_purchased both first last secs
    for attempt in 1 2 3; do
        name="r$1-p$attempt"
        log "round $1 of $rounds: 2 hosts in one group (attempt $attempt)"
        m0=$(mock_cpu)
        start_host "$name-a" 1 "bench-$name"
        pa=$hp
        start_host "$name-b" 1 "bench-$name"
        pb=$hp
        rc_a=0 rc_b=0
        wait "$pa" || rc_a=$?
        wait "$pb" || rc_b=$?
        mock=$(awk -v a="$m0" -v b="$(mock_cpu)" 'BEGIN { printf "%.3f\n", b - a }')
        read_host "$name-a" "$rc_a"
        a_run=$h_run a_assign=$h_assign a_end=$h_end a_purchased=$h_purchased
        read_host "$name-b" "$rc_b"
        # The group splits the partitions; a rebalance after reading began gives partitions back
        # uncommitted, and their next owner reads them again: the sum is then above the records.
        both=$((a_purchased + h_purchased))
        ((both >= records)) || fail "2 hosts read $both of $records records; their logs: $work/$name-a.log, $work/$name-b.log"
        log "round $1: the 2 hosts read $a_purchased and $h_purchased"
        ((both == records || attempt == 3)) && break
        log "round $1: 2 hosts read $((both - records)) records twice (logs kept: $work/$name-*.log)"
        pair_again=$((pair_again + 1))
        keep_work=1
    done
    record "$t_cpu" "$row_2" "client" "$(awk -v a="$(cpu_of_times "$work/$name-a.cpu")" -v b="$(cpu_of_times "$work/$name-b.cpu")" 'BEGIN { printf "%.3f\n", a + b }')"
    record "$t_cpu" "$row_2" "mock cluster" "$mock"
    first=$(awk -v a="$a_assign" -v b="$h_assign" 'BEGIN { print (a < b ? a : b) }')
    last=$(awk -v a="$a_end" -v b="$h_end" 'BEGIN { print (a > b ? a : b) }')
    secs=$(span "$first" "$last" "$idle_end")
    pair_rate=$(div "$records" "$secs")
    record "$t_rate" "$row_2" "materials/s" "$pair_rate"
    record "$t_rate" "$row_2" "seconds" "$secs"
    pair_twice=$((both - records))
    record "$t_not" "$row_2" "group join" "$(span "$(awk -v a="$a_run" -v b="$h_run" 'BEGIN { print (a < b ? a : b) }')" "$first")"
    ((both == records)) || { log "round $1: 3 pairs in a row read records twice; this one is in the table"; replayed=1; }
}

# The ratios of round $1's runs.
record_ratios() {
    local w row
    for w in $shops_list; do
        row=$row_1
        ((w > 1)) && row=$row_w
        record "$t_rate" "$row" "/ kcat" "$(div "${host_rate[$w]}" "$kcat_rate")"
        record "$t_rate" "$row" "/ kcat less fixed cost" "$(div "${host_rate[$w]}" "$kcat_net")"
    done
    record "$t_rate" "$row_2" "/ kcat" "$(div "$pair_rate" "$kcat_rate")"
    record "$t_rate" "$row_2" "/ kcat less fixed cost" "$(div "$pair_rate" "$kcat_net")"
    record "$t_rate" "$row_2" "/ 1 host, 1 workshop" "$(div "$pair_rate" "${host_rate[1]}")"
    record "$t_rate" "$row_2" "read twice" "$pair_twice"
}

# The order alternates, so that no kind of run always follows the same one (or always comes
# first, on a page cache and a mock cluster that other runs have warmed).
for ((round = 1; round <= rounds; ++round)); do
    if ((round % 2)); then
        run_kcat "$round"
        for w in $shops_list; do run_one "$round" "$w"; done
        run_pair "$round"
    else
        run_pair "$round"
        for w in $(tr ' ' '\n' <<<"$shops_list" | tac); do run_one "$round" "$w"; done
        run_kcat "$round"
    fi
    record_ratios "$round"
done

elapsed=$(($(date +%s) - started))
{
    echo "### Kafka benchmark"
    echo
    echo "- machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), Linux $(uname -r); librdkafka $(pkg-config --modversion rdkafka 2>/dev/null || echo '?'), $(kcat -V 2>&1 | sed -n 's/^Version \([^ ]*\).*/kcat \1/p' | head -1)"
    echo "- load average (1, 5, 15 min) before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- commit $(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$src" diff --quiet HEAD -- host plugins sdk 2>/dev/null || echo ' (host, plugins or sdk modified)'), build type $(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt")"
    echo "- topic: $records click events (bench/tools/make_clicks.sh, $((bytes / records)) bytes a value, keyed by user, 100,000 users) in $partitions partitions of factory-kafka-mock (librdkafka's mock cluster, 1 broker, on loopback)"
    echo "- factory: \`factory-host --source kafka:brokers=ADDR,topic=$topic,group=G,start=earliest,idle_end=${idle_end}s,session_timeout=${session_timeout}s --blueprint tally --exporter null --workshops W\`, a new group each run;" \
        "timed from its first assignment to its last log line, less idle_end (2 hosts: the earlier assignment to the later end)"
    echo "- kcat: the whole process; its fixed cost: the same command on a topic of one record a partition (start-up, and the broker holding the last fetch of each partition for fetch.wait.max.ms, 500 ms, before -e sees the end)"
    echo "- \"/ kcat\", \"/ kcat less fixed cost\" and \"/ 1 host, 1 workshop\" are taken within one round, then the median"
    echo "- 2 hosts: $pair_again pair(s) read records twice and were run again (see the script)"
    echo "- $rounds round(s), $elapsed s in all: each cell is the median, then (min-max)"
    echo
    "$bin/bench_report" "$results" "run"
} | tee ${out:+"$out"}
[[ -n $out ]] && cp "$results" "$out.tsv"
if ((replayed)); then
    log "some 2-host runs read records twice, so their rates are not the reading's (logs in $work)"
    exit 1
fi
exit 0
