#!/usr/bin/env bash
# Trains the evaluation study's model bank: Fashion-MNIST small-cnn, 8,000 training images (10% validation), 2 epochs,
# T = 4, the paper's modes and neurons at a few alphas and seeds (about 2 minutes each on 2 idle cores).
# Usage: bench/evaluation/train-models.sh OUT_DIR     (models already trained there are kept)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: $0 OUT_DIR}
dotnet build src/Trainer -c Release -m:1 -v q -nologo >/dev/null
trainer=src/Trainer/bin/Release/net10.0/linux-x64/StableSnn.Trainer
mkdir -p "$out"
while read -r name neuron mode alpha seed; do
  [ -f "$out/$name/result.json" ] && continue
  mkdir -p "$out/$name"
  cat > "$out/$name/spec.json" <<JSON
{"id":"$name","dataset":"fashion-mnist","architecture":"small-cnn","neuron":"$neuron","mode":"$mode","alpha":$alpha,"seed":$seed,
 "epochs":2,"batchSize":64,"learningRate":0.1,"trainSubset":8000,"testSubset":2000,"validationFraction":0.1,"timeSteps":4,
 "attackSuite":"none","attackSubset":500}
JSON
  echo "[$(date +%T)] training $name" >&2
  LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 "$trainer" train --spec "$out/$name/spec.json" --out "$out/$name" --threads 2 >/dev/null
done <<'MODELS'
dlif-at-a1-s42 dlif at 1 42
dlif-at-a1-s43 dlif at 1 43
dlif-at-a0-s42 dlif at 0 42
lif-at-a1-s42 lif at 1 42
dlif-gauss-a1-s42 dlif gaussian 1 42
lif-at-a0-s43 lif at 0 43
dlif-raw-s42 dlif raw 0 42
MODELS
