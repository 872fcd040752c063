#!/usr/bin/env bash
# The attack phase at AutoAttack budgets: the trainer's `reliable` suite (StableSnn.Trainer attack) against a PyTorch
# implementation of the same attacks (bench/pytorch/autoattack_snn.py) on the same folded network and the same images.
# Usage: bench/attack-autoattack.sh [EXPERIMENT_DIR] [--subset N] [--reps R] [--threads T] [--old-trainer PATH]
#                                   [--no-profile | --profile-subset M]
#   EXPERIMENT_DIR: a trained experiment (spec.json or result.json + best/model.bin); default /work/models/out/dlif-at-a1-s42
#   when it exists, else a Fashion-MNIST small-cnn DLIF model is trained first (as bench/attack-suites.sh does).
#   --subset N (500): attacked test images; --reps R (1): alternating C# / PyTorch pairs (medians reported);
#   --threads T (2): intra-op threads on both sides; --old-trainer PATH: also run that trainer binary's `reliable`
#   suite on the same model and images (e.g. /work/models/trainer-base/StableSnn.Trainer);
#   --no-profile: skip the in-process C# run that splits each attack's time into forward, backward and the rest;
#   --profile-subset M (N): run that profile on the seeded subset of M images instead (it costs a whole suite).
# Writes bench/results/attack-autoattack.md (+ .json with every run's raw numbers) and prints the table.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="" subset=500 reps=1 threads=2 old="" profile=1 profile_subset=""
while [ $# -gt 0 ]; do
  case "$1" in
    --subset) subset="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --old-trainer) old="$2"; shift 2 ;;
    --no-profile) profile=0; shift ;;
    --profile-subset) profile_subset="$2"; shift 2 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) dir="$1"; shift ;;
  esac
done
tcmalloc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
[ -f "$tcmalloc" ] || { echo "tcmalloc is needed on both sides: apt-get install libtcmalloc-minimal4" >&2; exit 2; }
python=/usr/bin/python3
"$python" -c "import torch" 2>/dev/null || { echo "$python cannot import torch: apt-get install python3-torch" >&2; exit 2; }
[ -z "$old" ] || [ -x "$old" ] || { echo "--old-trainer $old is not an executable" >&2; exit 2; }

echo "building the trainer and AttackBench (Release)..." >&2
dotnet build src/Trainer -c Release -m:1 -v q -nologo >/dev/null
dotnet build bench/AttackBench -c Release -m:1 -v q -nologo >/dev/null
trainer=src/Trainer/bin/Release/net10.0/linux-x64/StableSnn.Trainer
bench=bench/AttackBench/bin/Release/net10.0/linux-x64/AttackBench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ -n "$dir" ] || { [ -d /work/models/out/dlif-at-a1-s42 ] && dir=/work/models/out/dlif-at-a1-s42; } || true
if [ -z "$dir" ]; then
  dir="$work/model"
  cat > "$work/spec.json" <<JSON
{"id":"bench/attack-autoattack","dataset":"fashion-mnist","architecture":"small-cnn","neuron":"dlif","mode":"at","alpha":1,
 "seed":1,"epochs":2,"trainSubset":8000,"timeSteps":4,"attackSuite":"none"}
JSON
  echo "training the benchmark model (8,000 images, 2 epochs)..." >&2
  LD_PRELOAD=$tcmalloc "$trainer" train --spec "$work/spec.json" --out "$dir" --threads "$threads" >/dev/null
  spec="$work/spec.json"
else
  spec="$dir/spec.json"
  [ -f "$spec" ] || { "$python" -c "import json,sys; print(json.dumps(json.load(open(sys.argv[1]))['spec']))" "$dir/result.json" > "$work/spec.json"; spec="$work/spec.json"; }
fi
checkpoint="$dir/best/model.bin"
[ -f "$checkpoint" ] || { echo "no $checkpoint: train the experiment first" >&2; exit 2; }

LD_PRELOAD=$tcmalloc "$bench" export "$spec" "$checkpoint" "$work/export" --subset "$subset" --threads "$threads" | tee "$work/export.txt" >&2

# One timed run: NAME REP COMMAND...; wall seconds and the load average before and after go to runs.txt.
timed() {
  local name=$1 rep=$2; shift 2
  local before start
  before=$(cut -d' ' -f1-3 /proc/loadavg)
  start=$(date +%s.%N)
  echo "[$(date -u +%H:%M:%S)] $name run $rep (load $before)..." >&2
  "$@" > "$work/$name-$rep.log" 2>&1 || { echo "$name run $rep failed:" >&2; tail -20 "$work/$name-$rep.log" >&2; exit 1; }
  echo "$name $rep $(echo "$(date +%s.%N) - $start" | bc) $before $(cut -d' ' -f1-3 /proc/loadavg)" >> "$work/runs.txt"
}

for r in $(seq 1 "$reps"); do
  timed csharp "$r" env LD_PRELOAD=$tcmalloc "$trainer" attack --spec "$spec" --checkpoint "$checkpoint" --suite reliable \
    --subset "$subset" --result "$work/csharp-$r.json" --threads "$threads"
  timed pytorch "$r" env LD_PRELOAD=$tcmalloc OMP_NUM_THREADS="$threads" "$python" bench/pytorch/autoattack_snn.py "$work/export" \
    --threads "$threads" --csharp-result "$work/csharp-$r.json" --out "$work/pytorch-$r.json"
  if [ -n "$old" ]; then
    timed old "$r" env LD_PRELOAD=$tcmalloc "$old" attack --spec "$spec" --checkpoint "$checkpoint" --suite reliable \
      --subset "$subset" --result "$work/old-$r.json" --threads "$threads"
  fi
done
if [ "$profile" = 1 ]; then
  timed profile 1 env LD_PRELOAD=$tcmalloc "$bench" profile "$spec" "$checkpoint" --subset "${profile_subset:-$subset}" --threads "$threads" \
    --out "$work/profile-1.json"
fi

mkdir -p bench/results
"$python" bench/summarise_autoattack.py "$work" "$reps" "$subset" "$threads" "$dir" "${old:-}" \
  bench/results/attack-autoattack.md bench/results/attack-autoattack.json
cat bench/results/attack-autoattack.md
