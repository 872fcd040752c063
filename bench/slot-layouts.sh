#!/usr/bin/env bash
# Grid throughput per CPU slot layout: the quickstart grid (examples/quickstart.yaml, 8 experiments) run end to end by
# `stablesnn run` (embedded silo, real trainer processes) once per layout SLOTSxTHREADS, e.g. 1x2 and 2x1 on 2 cores.
# Per layout: sweep wall time, experiments per hour, slot busy fraction, the largest trainer peak RSS (result.json),
# and the mean seconds per experiment in training and in evaluation + attacks. Layouts run one after another on an
# otherwise idle machine; with --suite the grid is the quickstart's with another attack suite (e.g. quick, to halve
# the time). Writes one JSON line per layout to OUT.
# Usage: bench/slot-layouts.sh [--layouts 1x2,2x1] [--suite reliable] [--out FILE=bench/results/slot-layouts.jsonl]
set -euo pipefail
cd "$(dirname "$0")/.."
layouts=1x2,2x1; suite=reliable; out=bench/results/slot-layouts.jsonl
while [ $# -gt 0 ]; do
  case "$1" in
    --layouts) layouts="$2"; shift ;; --suite) suite="$2"; shift ;; --out) out="$2"; shift ;;
    *) echo "unknown option $1; see the header of $0" >&2; exit 2 ;;
  esac
  shift
done
dotnet build src/Client -c Release -v q -nologo >/dev/null
cli="$PWD/src/Client/bin/Release/net10.0/linux-x64/stablesnn.dll"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
sed "s/^attackSuite: .*/attackSuite: $suite/; s/^name: .*/name: layout/" examples/quickstart.yaml > "$work/grid.yaml"
for layout in ${layouts//,/ }; do
  slots=${layout%x*}; threads=${layout#*x}
  echo "[$(date +%H:%M:%S)] layout $slots slot(s) x $threads thread(s), suite $suite" >&2
  start=$(date +%s.%N)
  (cd "$work" && dotnet "$cli" run grid.yaml --data-dir "state-$layout" --out "out-$layout" \
      --cpu-slots "$slots" --threads-per-slot "$threads") > "$work/log-$layout" 2>&1 || { tail -20 "$work/log-$layout" >&2; exit 1; }
  end=$(date +%s.%N)
  /usr/bin/python3 - "$work" "$layout" "$suite" "$start" "$end" "$(cat /proc/loadavg)" >> "$out" <<'PY'
import glob, json, re, sys
work, layout, suite, start, end, load = sys.argv[1:]
log = re.sub(r"\s+", " ", open(f"{work}/log-{layout}").read())
busy = re.search(r"slots busy ([\d.]+)% of ([\d:]+) \((\d+) attempts on (\d+) slot", log)
results = [json.load(open(p)) for p in glob.glob(f"{work}/state-{layout}/artifacts/**/result.json", recursive=True)]
wall = float(end) - float(start)
n = len(results)
print(json.dumps({
    "layout": layout, "suite": suite, "experiments": n, "wall_seconds": round(wall, 1),
    "experiments_per_hour": round(n / wall * 3600, 1),
    "busy_percent": float(busy.group(1)) if busy else None, "sweep": busy.group(2) if busy else None,
    "max_trainer_peak_rss_mb": max((r.get("peakResidentMb", 0) for r in results), default=0),
    "mean_train_seconds": round(sum(r["timings"]["trainSeconds"] for r in results) / max(1, n), 1),
    "mean_evaluate_attack_seconds": round(sum(r["timings"]["evaluateSeconds"] + r["timings"]["attackSeconds"] for r in results) / max(1, n), 1),
    "load_average_after": load,
}))
PY
  tail -1 "$out" >&2
done
