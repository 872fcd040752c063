#!/usr/bin/env bash
# One whole training job, the trainer process against the PyTorch reference (bench/pytorch/training_job.py), measured
# from outside by bench/measure_job.py: wall time and peak resident memory of each process, alternating C# / PyTorch.
# The job is bench/e2e-job.json: Fashion-MNIST small-cnn, 8,000 images (10% validation), 2 epochs, AT + alpha 1, T = 4,
# clean test accuracy on 10,000 images, no attacks. Appends "csharp {...}" / "pytorch {...}" lines to OUT.
# Usage: bench/training-job.sh [--reps R=3] [--threads N=2] [--out FILE=/dev/stdout]
set -euo pipefail
cd "$(dirname "$0")/.."
reps=3; threads=2; out=/dev/stdout
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) reps="$2"; shift ;; --threads) threads="$2"; shift ;; --out) out="$2"; shift ;;
    *) echo "unknown option $1; see the header of $0" >&2; exit 2 ;;
  esac
  shift
done
tcmalloc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
trainer=src/Trainer/bin/Release/net10.0/linux-x64/StableSnn.Trainer
[ -x "$trainer" ] || dotnet build src/Trainer -c Release -v q -nologo >/dev/null
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
for r in $(seq "$reps"); do
  echo "[$(date +%H:%M:%S)] training job: run $r/$reps (C#, then PyTorch)" >&2
  # Exactly how a node launches it: tcmalloc preloaded, the slot's thread count.
  cs=$(/usr/bin/python3 bench/measure_job.py --label csharp -- env LD_PRELOAD=$tcmalloc "$trainer" train \
        --spec bench/e2e-job.json --out "$work/cs$r" --threads "$threads")
  train=$(/usr/bin/python3 -c "import json,sys; t=json.load(open(sys.argv[1]))['timings']; print(t['trainSeconds'])" "$work/cs$r/result.json")
  echo "csharp ${cs%\}}, \"train_seconds\": $train}" >> "$out"
  py=$(/usr/bin/python3 bench/measure_job.py --label pytorch -- env LD_PRELOAD=$tcmalloc OPENBLAS_NUM_THREADS=$threads \
        /usr/bin/python3 bench/pytorch/training_job.py --out "$work/py$r" --threads "$threads")
  train=$(/usr/bin/python3 -c "import json,sys; print(json.loads(sys.argv[1])['child']['train_seconds'])" "$py")
  echo "pytorch ${py%\}}, \"train_seconds\": $train}" >> "$out"
done
