#!/usr/bin/env bash
# Every benchmark of issue 9 in one run, printing one table (and writing it to bench/results/latest.{json,md}):
#   trainer vs PyTorch (small-cnn 1x28x28 and VGG-11 3x32x32: Raw step, AT+regulariser step, PGD-7 batch, peak RSS;
#   medians of alternating runs), resident memory over 500 training steps, a whole training job (trainer process vs
#   PyTorch: wall time, peak RSS), the scheduler with the instant fake
#   trainer (1 and 2 silos, memory storage), and the quickstart end to end (wall time, slot busy fraction).
#   The part scheduler-storage (bench/scheduler-storage.sh: memory, SQLite, PostgreSQL side by side) runs only when
#   named in --parts; it writes bench/results/scheduler-storage.json and is not in the summary table.
# Needs scripts/setup.sh's packages plus Debian's python3-torch and libopenblas0-pthread. Run it on a quiet machine: everything is timed.
# Usage: bench/run-all.sh [--quick] [--parts small,vgg,memory,job,scheduler,scheduler-storage,e2e] [--skip-vgg] [--skip-e2e] [--threads N]
#   --quick: fewer repetitions (a smoke run of the harness, not numbers to report).
#   --parts: run only these parts (default: all).
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0; parts=small,vgg,memory,job,scheduler,e2e; threads=2
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;; --skip-vgg) parts=${parts//vgg/} ;; --skip-e2e) parts=${parts//e2e/} ;;
    --parts) parts="$2"; shift ;;
    --threads) threads="$2"; shift ;;
    *) echo "unknown option $1; see the header of $0" >&2; exit 2 ;;
  esac
  shift
done
/usr/bin/python3 -c "import torch" 2>/dev/null \
  || { echo "the PyTorch reference needs Debian's python3-torch: sudo apt-get install python3-torch" >&2; exit 2; }
# Debian's PyTorch does its matrix products through whatever libblas.so.3 points to; Netlib's reference BLAS (the
# default when nothing else is installed) makes its linear layers several times slower, which would flatter our ratios.
blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 || true)
case "$blas" in *openblas*|*blis*|*mkl*) ;; *)
  echo "the PyTorch reference would use Netlib's reference BLAS ($blas): sudo apt-get install libopenblas0-pthread" >&2; exit 2 ;;
esac
tcmalloc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
[ -e "$tcmalloc" ] || { echo "tcmalloc missing: run ./scripts/setup.sh" >&2; exit 2; }

if [ "$quick" = 1 ]; then small_reps=1; small_steps=2; parts=${parts//vgg/}; mem_steps=100; job_reps=1; sched_args="--experiments 2000 --grid 20000 --runs 1"
else small_reps=5; small_steps=5; vgg_reps=2; mem_steps=1000; job_reps=3; sched_args=""; fi
part() { [[ ",$parts," == *",$1,"* ]]; }

out=bench/results; mkdir -p "$out"
raw=$(mktemp -d); trap 'rm -rf "$raw"' EXIT
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

log "building (Release)"
for p in bench/TrainerBench bench/SchedulerBench src/Client src/Trainer; do dotnet build "$p" -c Release -v q -nologo >/dev/null; done
trainer=bench/TrainerBench/bin/Release/net10.0/linux-x64/TrainerBench
reference="env OPENBLAS_NUM_THREADS=$threads /usr/bin/python3 bench/pytorch/spiking_reference.py"

# Alternating C# / PyTorch runs, so drift in machine load hits both sides alike.
side_by_side() { # arch reps steps warmup
  for r in $(seq "$2"); do
    log "trainer $1: run $r/$2 (C#, then PyTorch)"
    echo "csharp $(LD_PRELOAD=$tcmalloc $trainer --arch "$1" --steps "$3" --warmup "$4" --threads "$threads")" >> "$raw/trainer.txt"
    echo "pytorch $(LD_PRELOAD=$tcmalloc $reference --arch "$1" --steps "$3" --warmup "$4" --threads "$threads")" >> "$raw/trainer.txt"
  done
}
part small && side_by_side small-cnn "$small_reps" "$small_steps" 2
# One VGG-11 step takes 15-80 s; the warm-up step still matters (first touch of ~4-6 GB of activations).
part vgg && side_by_side vgg11 "$vgg_reps" 1 1

if part memory; then
  log "memory over $mem_steps raw training steps (small-cnn)"
  echo "csharp $(LD_PRELOAD=$tcmalloc $trainer --memory-steps "$mem_steps" --threads "$threads")" >> "$raw/memory.txt"
  echo "pytorch $(LD_PRELOAD=$tcmalloc $reference --memory-steps "$mem_steps" --threads "$threads")" >> "$raw/memory.txt"
fi

if part job; then
  log "whole training job (trainer process vs PyTorch, alternating)"
  bench/training-job.sh --reps "$job_reps" --threads "$threads" --out "$raw/job.txt"
fi

if part scheduler; then
  log "scheduler (instant fake trainer)"
  # shellcheck disable=SC2086
  dotnet bench/SchedulerBench/bin/Release/net10.0/linux-x64/SchedulerBench.dll --storage memory $sched_args --json "$raw/scheduler.json" >&2
fi

if part scheduler-storage; then
  log "scheduler per storage provider (memory, SQLite, private PostgreSQL)"
  if [ "$quick" = 1 ]; then bench/scheduler-storage.sh --experiments memory=1000,sqlite=200,postgres=500 --runs 1 >&2
  else bench/scheduler-storage.sh --experiments memory=10000,sqlite=3000,postgres=5000 --runs 2 >&2; fi
fi

if part e2e; then
  log "quickstart end to end (embedded silo, real trainer processes)"
  state=$(mktemp -d)
  start=$(date +%s.%N)
  (cd "$state" && LD_PRELOAD= dotnet "$OLDPWD/src/Client/bin/Release/net10.0/linux-x64/stablesnn.dll" run "$OLDPWD/examples/quickstart.yaml" \
      --data-dir state --out results) > "$raw/e2e.log" 2>&1 || { tail -20 "$raw/e2e.log" >&2; exit 1; }
  end=$(date +%s.%N)
  echo "{\"wall_seconds\": $(awk "BEGIN {print $end - $start}")}" > "$raw/e2e.json"
  grep -E "slots busy" "$raw/e2e.log" >&2 || true
  rm -rf "$state"
fi

/usr/bin/python3 bench/summarise.py "$raw" "$out" \
  --machine "$(. /etc/os-release; echo "$PRETTY_NAME"), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)" \
  --versions ".NET $(dotnet --version), TorchSharp 0.107.0 / libtorch 2.10.0, PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)') with $(basename "$(dirname "$blas")") BLAS, Orleans 10.4.2, $threads threads, tcmalloc" \
  $( [ "$quick" = 1 ] && echo --quick )
