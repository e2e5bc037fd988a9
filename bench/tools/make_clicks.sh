#!/usr/bin/env bash
# Writes a file of JSON click events, one per line, for the JSON benchmarks (bench/json.sh) and
# the sessionize blueprint:
#   {"user":417,"ts":1700000000010,"page":"/product/57","event":"click","ref":"search"}
#
#   bench/tools/make_clicks.sh LINES [USERS] [HOURS] > clicks.jsonl
#
# LINES events over HOURS hours of event time (default 6; ts in ms, never decreasing), each by one
# of USERS users (default 100000) drawn at random, on one of 200 pages. The draws come from a
# Park-Miller generator with a fixed seed, exact in any awk, so the same arguments give the same
# bytes. With the defaults a user clicks every 18 minutes on average: a 30m contract on the
# material clock closes many sessions along the way, not only at the end.
set -euo pipefail
lines=${1:?usage: make_clicks.sh LINES [USERS] [HOURS]}
users=${2:-100000}
hours=${3:-6}
[[ $lines =~ ^[0-9]+$ && $users =~ ^[1-9][0-9]*$ && $hours =~ ^[1-9][0-9]*$ ]] ||
    { echo "make_clicks.sh: LINES, USERS and HOURS must be whole numbers (USERS, HOURS at least 1)" >&2; exit 2; }
exec awk -v lines="$lines" -v users="$users" -v hours="$hours" 'BEGIN {
    x = 20261203
    split("search home ad email direct", refs, " ")
    step = hours * 3600000 / (lines > 0 ? lines : 1)
    for (i = 0; i < lines; i++) {
        x = (x * 16807) % 2147483647; u = x % users
        x = (x * 16807) % 2147483647; p = x % 200
        x = (x * 16807) % 2147483647; r = x % 5 + 1
        printf "{\"user\":%d,\"ts\":%.0f,\"page\":\"/product/%d\",\"event\":\"click\",\"ref\":\"%s\"}\n",
               u, 1700000000000 + int(i * step), p, refs[r]
    }
}'
