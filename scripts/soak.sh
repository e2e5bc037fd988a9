#!/usr/bin/env bash
# The soak test (not in CI): a factory under full load for ten minutes while a random workshop is
# killed with SIGKILL every few seconds. It passes when the run ends on its own (--duration) with
# balanced accounts: purchased = assembled + dead-lettered + lost in crashes, to the unit, and
# shipped = exported. Its output folder is removed when it passes.
#   scripts/soak.sh [minutes=10] [workshops=2]
#   scripts/soak.sh --checkpoint [minutes=10] [workshops=2]
# The checkpointed mode kills any process (a workshop, purchasing or transportation) every 3-7 s of
# a run with --checkpoint, each death rolling the factory back to its last checkpoint; it passes
# when the products, sorted, equal to the byte those of the same input run once without a crash.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ${1:-} == --checkpoint ]]; then
  shift
  exec scripts/soak_checkpoint.sh "$@"
fi
minutes=${1:-10}
workshops=${2:-2}
host=${FACTORY_HOST:-build/bin/factory-host}
[[ -x $host ]] || { echo "soak: build first (scripts/demo.sh or scripts/test.sh)"; exit 2; }
work=$(mktemp -d /tmp/factory-soak.XXXXXX)
echo "soak: ${minutes} min, ${workshops} workshops, a workshop killed every 3-7 s; output in $work"
# --max-age 2s fires every worker every 2 s, so products flow all the time and the kills also land
# while workshops ship (the products' accounts are checked as well as the materials').
"$host" --source synthetic:keys=100000 --workshops "$workshops" --duration "${minutes}m" --max-age 2s \
  --exporter "jsonl:dir=$work/out" --dead-letter "$work/dead" --summary-json "$work/summary.json" \
  --max-restarts 100 --quiet 2>"$work/host.log" &
host_pid=$!
kills=0
while kill -0 "$host_pid" 2>/dev/null; do
  sleep $((3 + RANDOM % 5))
  victim=$((1 + RANDOM % workshops))
  pid=$(pgrep -P "$host_pid" -f "^factory: workshop ${victim}\$" || true)
  if [[ -n $pid ]] && kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
done
wait "$host_pid" || true
echo "soak: killed $kills workshops"
tail -n 3 "$work/host.log"
# Besides the balance: the materials the products carry (widget counts them per worker) are the
# materials the summary says were assembled, so none is counted both lost and delivered.
assembled=$(grep -o '"assembled": *[0-9]*' "$work/summary.json" | head -n 1 | grep -o '[0-9]*$')
in_products=$(cat "$work"/out/*.jsonl | grep -o '"materials":[0-9]*' | awk -F: '{ s += $2 } END { printf "%.0f\n", s }')
echo "soak: assembled $assembled, carried by the products $in_products"
if grep -q '"balanced": true' "$work/summary.json" && [[ $assembled == "$in_products" ]]; then
  echo "soak: PASS (accounts balance; the products carry every assembled material)"
  rm -rf "$work"
else
  echo "soak: FAIL (see $work/summary.json)"
  exit 1
fi
