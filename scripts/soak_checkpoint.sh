#!/usr/bin/env bash
# The checkpointed soak (scripts/soak.sh --checkpoint [minutes=10] [workshops=2]; not in CI): a
# synthetic input sized to last `minutes` at 200,000 materials/s, with checkpoints every second,
# while a random process of the run is killed with SIGKILL every 3-7 s. Passes when the run ends at
# the end of its input with balanced books, nothing lost, and products that equal, sorted and to
# the byte, those of one uninterrupted run of the same input. Its folder is removed when it passes.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-10}
workshops=${2:-2}
rate=200000
count=$((rate * minutes * 60))
host=${FACTORY_HOST:-build/bin/factory-host}
[[ -x $host ]] || { echo "soak: build first (scripts/demo.sh or scripts/test.sh)"; exit 2; }
work=$(mktemp -d /tmp/factory-soak-ck.XXXXXX)
job=(--source "synthetic:keys=100000,count=$count,seed=7" --blueprint tally --workshops "$workshops"
     --contract 1h --inspect 0 --quiet)
echo "soak: $count materials (${minutes} min at $rate/s), ${workshops} workshops, checkpoints every 1s, a process killed every 3-7 s; in $work"
"$host" "${job[@]}" --exporter "jsonl:dir=$work/reference" --dead-letter "$work/dead-ref" 2>"$work/reference.log"

"$host" "${job[@]}" --rate "$rate" --checkpoint "$work/ck" --checkpoint-every 1s --max-restarts 1000 \
  --exporter "jsonl:dir=$work/out" --dead-letter "$work/dead" --summary-json "$work/summary.json" \
  2>"$work/host.log" &
host_pid=$!
kills=0
titles=("factory: purchasing" "factory: transportation")
for ((i = 1; i <= workshops; ++i)); do titles+=("factory: workshop $i"); done
while kill -0 "$host_pid" 2>/dev/null; do
  sleep $((3 + RANDOM % 5))
  victim=${titles[$((RANDOM % ${#titles[@]}))]}
  pid=$(pgrep -P "$host_pid" -f "^${victim}\$" || true)
  if [[ -n $pid ]] && kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
done
wait "$host_pid" || true
echo "soak: killed $kills processes"
tail -n 3 "$work/host.log"
rollbacks=$(grep -o '"rollbacks": *[0-9]*' "$work/summary.json" | grep -o '[0-9]*$' || echo 0)
same=no
if cmp -s <(cat "$work"/reference/*.jsonl | sort) <(cat "$work"/out/*.jsonl | sort); then same=yes; fi
echo "soak: $rollbacks rollbacks; products equal to the uninterrupted run: $same"
if grep -q '"balanced": true' "$work/summary.json" && grep -q '"lost_anything": false' "$work/summary.json" &&
   [[ $same == yes ]]; then
  echo "soak: PASS (books balance, nothing lost, the products equal an uninterrupted run's)"
  rm -rf "$work"
else
  echo "soak: FAIL (see $work)"
  exit 1
fi
