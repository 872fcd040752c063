#!/usr/bin/env bash
# Trainer vs PyTorch, side by side in one run: the small spiking CNN (T=8, batch 64, 1x28x28) under both, same
# threads, same allocator (tcmalloc), alternating REPS times; prints medians and ratios C#/PyTorch (lower is better).
# Needs: scripts/setup.sh packages plus Debian's python3-torch. Usage: bench/run-trainer-vs-pytorch.sh [steps=10] [reps=3] [threads=2]
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-10}; reps=${2:-3}; threads=${3:-2}
command -v /usr/bin/python3 >/dev/null && /usr/bin/python3 -c "import torch" 2>/dev/null \
  || { echo "PyTorch reference needs Debian's python3-torch: sudo apt-get install python3-torch" >&2; exit 1; }
dotnet build bench/TrainerBench -c Release -v q -nologo >/dev/null
export LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
out=$(mktemp)
for r in $(seq "$reps"); do
  echo "csharp $(bench/TrainerBench/bin/Release/net10.0/linux-x64/TrainerBench "$steps" "$threads")" >> "$out"
  echo "pytorch $(/usr/bin/python3 bench/pytorch/spiking_reference.py "$steps" "$threads")" >> "$out"
done
/usr/bin/python3 - "$out" <<'PY'
import json, statistics, sys
runs = {"csharp": [], "pytorch": []}
for line in open(sys.argv[1]):
    side, payload = line.split(" ", 1)
    runs[side].append(json.loads(payload))
print(f"{'metric':<16}{'C# (TorchSharp)':>18}{'PyTorch':>12}{'ratio':>8}")
for key in ["raw_step_ms", "at_step_ms", "pgd7_batch_ms", "peak_rss_mb"]:
    c = statistics.median(r[key] for r in runs["csharp"]); p = statistics.median(r[key] for r in runs["pytorch"])
    print(f"{key:<16}{c:>18.1f}{p:>12.1f}{c / p:>8.2f}")
PY
rm -f "$out"
