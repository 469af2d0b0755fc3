#!/usr/bin/env bash
# The benchmark suite (issue 8): per-invocation cost (reference / powertools / hand-rolled, for the core
# three and for every utility), cold start (exec to first response through the in-process runtime API)
# and stripped binary size, printed as one table with ratios against the reference and the hand-rolled
# baseline of the same run, and written to bench/RESULTS.md with the machine it ran on.
#
#   bash scripts/bench.sh                 # 5 rounds, 30 cold starts per binary
#   ROUNDS=9 RUNS=40 bash scripts/bench.sh
#
# Variants are interleaved (rounds, runs) because the machine may be shared and noisy: compare the ratios.
set -euo pipefail
cd "$(dirname "$0")/../bench"
rounds=${ROUNDS:-5}
runs=${RUNS:-30}
benchtime=${BENCHTIME:-1s}
cmd="bash scripts/bench.sh"
if [ "$rounds" != 5 ] || [ "$runs" != 30 ] || [ "$benchtime" != 1s ]; then
  cmd="ROUNDS=$rounds RUNS=$runs BENCHTIME=$benchtime $cmd"
fi
go run ./report -rounds "$rounds" -runs "$runs" -benchtime "$benchtime" -o RESULTS.md -cmd "$cmd"
echo
echo "written to bench/RESULTS.md"
