#!/usr/bin/env bash
# Before/after comparison of one benchmark across two checkouts, in turns:
#   scripts/bench-ab.sh <before-checkout> <after-checkout> <bench filter> [rounds=2] [out dir=.cache/bench-ab]
# Runs `pnpm bench <filter>` in the before checkout, then in the after checkout, `rounds` times, and writes each
# run's output to <out>/<filter>-<before|after>-<round>.log with a summary line (seconds, load average) per run in
# <out>/summary.log. Each run times its own peer (Python/native) in the same run, so compare the ratios it prints.
# Example (a refactor's before/after, as in the #21 closing note):
#   git worktree add /tmp/before <rev> && (cd /tmp/before && pnpm install --frozen-lockfile)
#   scripts/bench-ab.sh /tmp/before . metrics 3
set -euo pipefail
before=$(cd "$1" && pwd)
after=$(cd "$2" && pwd)
bench=$3
rounds=${4:-2}
out=$(mkdir -p "${5:-.cache/bench-ab}" && cd "${5:-.cache/bench-ab}" && pwd)
for r in $(seq 1 "$rounds"); do
  for side in before after; do
    dir=$after
    [ "$side" = before ] && dir=$before
    start=$(date +%s)
    (cd "$dir" && pnpm bench "$bench" >"$out/$bench-$side-$r.log" 2>&1) || echo "$bench $side round $r failed (see its log)" >>"$out/summary.log"
    echo "$bench $side round $r: $(($(date +%s) - start)) s, load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/summary.log"
  done
done
echo "logs in $out"
