#!/usr/bin/env bash
# Runs a fault-injection test N times in a row (default: the 2-silo PostgreSQL test, 20 times) and reports each run.
# A fault that loses work one time in twenty is a bug; one green run does not show it is gone.
#   scripts/fault-loop.sh [N] [FILTER] [PROJECT]   e.g. scripts/fault-loop.sh 20 TwoSiloClusterTests
#   scripts/fault-loop.sh 20 KillingOneSiloOfTwoLosesNothing tests/Grains.Tests
set -uo pipefail
cd "$(dirname "$0")/.."
n=${1:-20}; filter=${2:-TwoSiloClusterTests}; project=${3:-tests/Faults.Tests}
logs=$(mktemp -d /tmp/stablesnn-fault-loop-XXXX)
dotnet build "$project" -v q -nologo >/dev/null || { echo "build failed" >&2; exit 1; }
failures=0
for i in $(seq 1 "$n"); do
  start=$(date +%s)
  if dotnet test "$project" --no-build --filter "$filter" --logger "console;verbosity=detailed" >"$logs/run-$i.log" 2>&1; then
    result=pass
  else
    result=FAIL; failures=$((failures + 1))
  fi
  echo "run $i/$n: $result in $(( $(date +%s) - start )) s (log $logs/run-$i.log)"
done
echo "$filter: $((n - failures)) of $n passed, $failures failed; logs in $logs"
[ "$failures" -eq 0 ]
