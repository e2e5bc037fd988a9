#!/usr/bin/env bash
# The flow benchmark: packets per second over one large capture, factory-host (pcap source,
# flowmeter, null exporter, every core) against softflowd, pmacctd and libpcap's own read loop
# (tcpdump -w /dev/null), all on the same file from a warm page cache (bench/flows/README.md).
#
#   bench/flows/run.sh [--packets N] [--rounds R] [--workshops W] [--capture FILE]
#                      [--build-dir DIR] [--no-build] [--out FILE]
#
# Each round runs the five programs one after the other, so that the ratios of a round divide
# figures measured seconds apart; the tables give medians over the rounds, then min-max. Exits 1
# when a run fails, does not balance or times out (its log is kept and named), 2 on bad arguments.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build="$src/build-bench"
packets=6000000
rounds=3
workshops=$(nproc)
capture=""
do_build=1
out=""

usage() {
    sed -n '6,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    echo "bench/flows/run.sh: $1" >&2
    exit 2
}

while (($#)); do
    case "$1" in
    --packets) packets=${2:?}; shift ;;
    --rounds) rounds=${2:?}; shift ;;
    --workshops) workshops=${2:?}; shift ;;
    --capture) capture=${2:?}; shift ;;
    --build-dir) build=${2:?}; shift ;;
    --no-build) do_build=0 ;;
    --out) out=${2:?}; shift ;;
    -h | --help) usage "help" ;;
    *) usage "unknown option '$1'" ;;
    esac
    shift
done
[[ $packets =~ ^[1-9][0-9]*$ ]] || usage "--packets must be a whole number of at least 1"
[[ $rounds =~ ^[1-9][0-9]*$ ]] || usage "--rounds must be a whole number of at least 1"
[[ $workshops =~ ^[1-9][0-9]*$ ]] || usage "--workshops must be a whole number of at least 1"
[[ -n $capture ]] || capture="$build/flows-bench-$packets.pcap"

log() { echo "bench/flows: $*" >&2; }
for tool in softflowd softflowctl pmacctd tcpdump timeout; do
    command -v "$tool" > /dev/null || PATH="$PATH:/usr/sbin:/sbin"
    command -v "$tool" > /dev/null || { log "$tool is missing: run scripts/install-deps.sh"; exit 1; }
done

if ((do_build)); then
    log "building in $build"
    if [[ ! -f $build/CMakeCache.txt ]]; then
        cmake -S "$src" -B "$build" -G Ninja -DFACTORY_BUILD_BENCH=ON > /dev/null
    fi
    cmake --build "$build" -j 2 --target factory-host source_pcap blueprint_flowmeter exporter_null \
        flows_capture flows_source_bench > /dev/null
fi
host="$build/bin/factory-host"

if [[ ! -f $capture ]]; then
    log "writing $capture ($packets packets)"
    "$build/bin/flows_capture" "$capture.part" "$packets" > /dev/null
    mv "$capture.part" "$capture"
fi
log "warming the page cache with $capture ($(du -h "$capture" | cut -f1))"
cat "$capture" > /dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/factory-flows-bench.XXXXXX")
trap '[[ -f $work/keep ]] || rm -rf "$work"' EXIT
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
# Runs happen in subshells ($(...)): the marker file tells the exit trap to keep the logs.
fail() {
    touch "$work/keep"
    log "$1 (logs in $work)"
    exit 1
}

run_factory() {
    local t0
    t0=$(now)
    timeout 300 "$host" --source "pcap:file=$capture" --blueprint flowmeter --exporter null \
        --clock material --contract 15s --max-age 60s --inspect 0 --workshops "$workshops" --quiet \
        --dead-letter "$work/dead" --summary-json "$work/factory.json" > "$work/factory.log" 2>&1 ||
        fail "factory-host failed"
    since "$t0"
    grep -q '"balanced": *true' "$work/factory.json" || fail "factory-host did not balance"
}

# softflowd reads a file only while it is asked something on its control socket (one stretch of
# the file per request), so the clock runs from the first request until it logs the end of file.
run_softflowd() {
    local ctl="$work/sf.ctl" t0 pid
    rm -f "$ctl"
    softflowd -r "$capture" -n 127.0.0.1:9 -v 10 -A milli -d -m 2000000 -c "$ctl" -p "$work/sf.pid" \
        > "$work/softflowd.log" 2>&1 &
    pid=$!
    local waited=0
    until softflowctl -c "$ctl" statistics > /dev/null 2>&1; do
        sleep 0.01
        ((++waited < 1000)) || { kill "$pid"; fail "softflowd did not open its control socket"; }
    done
    t0=$(now)
    local asked=0
    until grep -q "pcap EOF" "$work/softflowd.log"; do
        softflowctl -c "$ctl" statistics > /dev/null 2>&1 || true
        ((++asked < 200000)) || { kill "$pid"; fail "softflowd did not reach the end of the file"; }
    done
    since "$t0"
    softflowctl -c "$ctl" shutdown > /dev/null 2>&1 || true
    wait "$pid" || true
}

# pmacctd sleeps 2 s before reading a savefile; that is taken off its time. Its pipe to the print
# plugin must be large, or it drops packets without a word; its print plugin writes a purge of its
# cache whenever the cache fills up, so the file is appended to. The packets it counted are
# reported: on a file of millions of flows it still loses some (see the README).
run_pmacctd() {
    rm -f "$work/pmacct.csv"
    cat > "$work/pmacctd.conf" << EOF
daemonize: false
aggregate: src_host, dst_host, src_port, dst_port, proto
plugins: print
print_output: csv
print_output_file: $work/pmacct.csv
print_output_file_append: true
print_num_protos: true
print_refresh_time: 3600
plugin_pipe_size: 1024000000
plugin_buffer_size: 10240000
EOF
    local t0
    t0=$(now)
    timeout 600 pmacctd -f "$work/pmacctd.conf" -I "$capture" > "$work/pmacctd.log" 2>&1 || fail "pmacctd failed"
    awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a - 2 }'
}

run_tcpdump() {
    local t0
    t0=$(now)
    timeout 300 tcpdump -r "$capture" -w /dev/null > "$work/tcpdump.log" 2>&1 || fail "tcpdump failed"
    since "$t0"
}

results="$work/results.tsv"
: > "$results"
for ((r = 1; r <= rounds; ++r)); do
    f=$(run_factory)
    s=$(run_softflowd)
    p=$(run_pmacctd)
    t=$(run_tcpdump)
    o=$(awk -v n="$packets" -v rate="$("$build/bin/flows_source_bench" "$capture" 1 2> /dev/null)" \
        'BEGIN { printf "%.3f", n / rate }')
    log "round $r: factory ${f}s, softflowd ${s}s, pmacctd ${p}s, tcpdump ${t}s, source alone ${o}s"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$f" "$s" "$p" "$t" "$o" >> "$results"
done
pm_packets=$(awk -F, '$1 != "SRC_IP" { n += $6 } END { print n + 0 }' "$work/pmacct.csv")
sf_packets=$(grep -oE "Packets processed: [0-9]+" "$work/softflowd.log" | tail -1 | grep -oE "[0-9]+$")
flow_packets=$(grep -oE '"assembled": *[0-9]+' "$work/factory.json" | head -1 | grep -oE "[0-9]+$")

report() {
    echo "Flow metering of $packets packets ($(du -h "$capture" | cut -f1), $(basename "$capture")), $rounds rounds, $(nproc) cores, $workshops workshops"
    echo
    echo "| program | what is timed | median s | packets/s (median) | min - max packets/s |"
    echo "|---|---|---|---|---|"
    awk -F'\t' -v n="$packets" '
        function median(a, k,   i, j, t) {
            for (i = 1; i <= k; ++i) for (j = i + 1; j <= k; ++j) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
            return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
        }
        { for (c = 2; c <= 6; ++c) { v[c, NR] = $c } rows = NR }
        END {
            split("factory-host|softflowd|pmacctd|tcpdump -w /dev/null|pcap source alone", name, "|")
            split("start to exit, every core|first control request to end of file|start to exit, less its 2 s sleep|start to exit (libpcap read loop)|open to close, one thread, no host", what, "|")
            for (c = 2; c <= 6; ++c) {
                lo = 1e18; hi = 0
                for (r = 1; r <= rows; ++r) { s[r] = v[c, r]; x = n / v[c, r]; if (x < lo) lo = x; if (x > hi) hi = x }
                m = median(s, rows); med[c] = m
                printf "| %s | %s | %.2f | %.2f M | %.2f - %.2f M |\n", name[c - 1], what[c - 1], m, n / m / 1e6, lo / 1e6, hi / 1e6
            }
            print ""
            print "| ratio (factory-host packets/s over ...) | median of the per-round ratios | min - max |"
            print "|---|---|---|"
            split("softflowd|pmacctd|tcpdump -w /dev/null", other, "|")
            for (c = 3; c <= 5; ++c) {
                lo = 1e18; hi = 0
                for (r = 1; r <= rows; ++r) { q[r] = v[c, r] / v[2, r]; if (q[r] < lo) lo = q[r]; if (q[r] > hi) hi = q[r] }
                printf "| %s | %.2fx | %.2f - %.2fx |\n", other[c - 2], median(q, rows), lo, hi
            }
        }' "$results"
    echo
    echo "Packets counted (last round): factory-host $flow_packets in flows, softflowd $sf_packets, pmacctd $pm_packets."
}

report
if [[ -n $out ]]; then
    report > "$out"
    cp "$results" "$out.tsv"
fi
