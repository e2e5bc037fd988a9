#!/usr/bin/env bash
# The soak test (not in CI): a factory under full load for ten minutes while a random workshop is
# killed with SIGKILL every few seconds. It passes when the run ends on its own (--duration) with
# balanced accounts: purchased = assembled + dead-lettered + lost in crashes, to the unit.
#   scripts/soak.sh [minutes=10] [workshops=2]
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-10}
workshops=${2:-2}
host=${FACTORY_HOST:-build/bin/factory-host}
[[ -x $host ]] || { echo "soak: build first (scripts/demo.sh or scripts/test.sh)"; exit 2; }
work=$(mktemp -d /tmp/factory-soak.XXXXXX)
echo "soak: ${minutes} min, ${workshops} workshops, a workshop killed every 3-7 s; output in $work"
"$host" --source synthetic:keys=100000 --workshops "$workshops" --duration "${minutes}m" \
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
if grep -q '"balanced": true' "$work/summary.json"; then
  echo "soak: PASS (accounts balance)"
else
  echo "soak: FAIL (see $work/summary.json)"
  exit 1
fi
