#!/usr/bin/env bash
# The reliable suite's cost against the standard suite on the same model and images, side by side.
# Usage: bench/attack-suites.sh [EXPERIMENT_DIR] [--subset N] [--reps R]
#   EXPERIMENT_DIR: a trained experiment (spec.json or result.json + best/model.bin); without one, a Fashion-MNIST
#   small-cnn DLIF model is trained first (8,000 images, 2 epochs, `at`, alpha 1, T = 4: about 3 minutes on 2 cores).
# Writes bench/results/attack-suites.md and prints it.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="" subset=500 reps=2
while [ $# -gt 0 ]; do
  case "$1" in
    --subset) subset="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    -*) echo "unknown option $1; use --subset N or --reps R" >&2; exit 2 ;;
    *) dir="$1"; shift ;;
  esac
done
dotnet build src/Trainer -c Release -m:1 -v q -nologo >/dev/null
trainer=src/Trainer/bin/Release/net10.0/linux-x64/StableSnn.Trainer
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -z "$dir" ]; then
  dir="$work/model"
  cat > "$work/spec.json" <<JSON
{"id":"bench/attack-suites","dataset":"fashion-mnist","architecture":"small-cnn","neuron":"dlif","mode":"at","alpha":1,
 "seed":1,"epochs":2,"trainSubset":8000,"timeSteps":4,"attackSuite":"none"}
JSON
  echo "training the benchmark model (8,000 images, 2 epochs)..." >&2
  "$trainer" train --spec "$work/spec.json" --out "$dir" --threads 2 >/dev/null
  spec="$work/spec.json"
else
  spec="$dir/spec.json"
  [ -f "$spec" ] || { python3 -c "import json,sys; print(json.dumps(json.load(open(sys.argv[1]))['spec']))" "$dir/result.json" > "$work/spec.json"; spec="$work/spec.json"; }
fi
checkpoint="$dir/best/model.bin"
[ -f "$checkpoint" ] || { echo "no $checkpoint: train the experiment first" >&2; exit 2; }

for r in $(seq 1 "$reps"); do
  for suite in standard reliable; do
    start=$(date +%s.%N)
    "$trainer" attack --spec "$spec" --checkpoint "$checkpoint" --suite "$suite" --subset "$subset" \
      --result "$work/$suite-$r.json" --threads 2 >/dev/null
    echo "$suite $r $(echo "$(date +%s.%N) - $start" | bc)" >> "$work/times.txt"
  done
done
mkdir -p bench/results
python3 - "$work" "$reps" "$subset" > bench/results/attack-suites.md <<'PY'
import json, statistics, sys
work, reps, subset = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
times = {}
for line in open(f"{work}/times.txt"):
    suite, _, seconds = line.split()
    times.setdefault(suite, []).append(float(seconds))
def load(suite): return json.load(open(f"{work}/{suite}-1.json"))
rows = []
for suite in ("standard", "reliable"):
    r = load(suite)
    head = min(r["worstCases"], key=lambda w: (-len(w["attacks"]), w["epsilon"])) if r["worstCases"] else None
    rows.append((suite, statistics.median(times[suite]), r, head))
base = rows[0][1]
print(f"# Attack suites on one model ({subset} Fashion-MNIST test images, median of {reps} runs, 2 threads)\n")
print("| suite | attacks | wall s | ratio to standard | clean | worst case at 8/255 | flags |")
print("|---|---|---|---|---|---|---|")
for suite, seconds, r, head in rows:
    attacks = ", ".join(f"{a['attack']['name']} {100*a['accuracy']:.1f}%" + (f" (ran on {a['attempted']})" if a['attack'].get('cascade') else "")
                        for a in r["attacks"] if not a["sanity"])
    flags = ", ".join(sorted({f["code"] for f in r["flags"]})) or "-"
    worst = f"{100*head['accuracy']:.1f}%" if head else "-"
    print(f"| {suite} | {attacks} | {seconds:.1f} | {seconds/base:.2f} | {100*r['cleanAccuracy']:.1f}% | {worst} | {flags} |")
PY
cat bench/results/attack-suites.md
