#!/usr/bin/env bash
# Adaptive search against a grid over alpha on the same problem (issue 14): bench/search/grid-alpha.yaml (9 alphas, all
# trained to 9 epochs) and examples/search-asha.yaml (ASHA, 18 proposed trials since the planner refuses 9, rungs at 1, 3 and 9 epochs), each run
# end to end by `stablesnn run` (embedded silo, real trainer processes, 2 CPU slots x 1 thread), one after the other.
# Per run: the best objective (worst-case robust accuracy at 8/255 on the same 200 test images) with its trial, alpha,
# clean accuracy and Wilson interval, trainer-seconds (the wall time of every attempt, attempts.csv), trainer-epochs and
# sweep wall time. Then the search against the grid: best objective difference in points and the trainer-seconds
# ratio (target: within 1 point for at most 40%). Writes JSON lines to OUT.
# --grid-stamp STAMP compares with the grid of an earlier invocation in OUT (e.g. after changing only the search).
# Each run's search-trials.csv and attempts.csv are kept as bench/results/search-vs-grid-RUN-*.csv.
# Usage: bench/search-vs-grid.sh [--order grid,search] [--grid-stamp STAMP] [--out FILE=bench/results/search-vs-grid.jsonl]
set -euo pipefail
cd "$(dirname "$0")/.."
order=grid,search; out=bench/results/search-vs-grid.jsonl; grid_stamp=
while [ $# -gt 0 ]; do
  case "$1" in
    --order) order="$2"; shift ;; --out) out="$2"; shift ;; --grid-stamp) grid_stamp="$2"; shift ;;
    *) echo "unknown option $1; see the header of $0" >&2; exit 2 ;;
  esac
  shift
done
dotnet build src/Client -c Release -v q -nologo >/dev/null
cli="$PWD/src/Client/bin/Release/net10.0/linux-x64/stablesnn.dll"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cp bench/search/grid-alpha.yaml "$work/grid.yaml"
sed "s/^name: .*/name: search-bench/" examples/search-asha.yaml > "$work/search.yaml"
stamp=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for run in ${order//,/ }; do
  echo "[$(date +%H:%M:%S)] $run (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  start=$(date +%s.%N)
  (cd "$work" && dotnet "$cli" run "$run.yaml" --data-dir "state-$run" --out "out-$run" --cpu-slots 2 --threads-per-slot 1) \
    > "$work/log-$run" 2>&1 || { tail -30 "$work/log-$run" >&2; exit 1; }
  end=$(date +%s.%N)
  /usr/bin/python3 bench/search/summarise_run.py "$work/out-$run" "$run" "$start" "$end" "$stamp" >> "$out"
  tail -1 "$out" >&2
  cp "$work/out-$run/search-trials.csv" "bench/results/search-vs-grid-$run-trials.csv"
  cp "$work/out-$run/attempts.csv" "bench/results/search-vs-grid-$run-attempts.csv"
done
/usr/bin/python3 bench/search/summarise_run.py --compare "$out" "$stamp" $grid_stamp | tee -a "$out" >&2
