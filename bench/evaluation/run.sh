#!/usr/bin/env bash
# The evaluation study of bench/README.md ("AutoAttack-grade evaluation"): trained Fashion-MNIST small-cnn models scored
# by a suite as the attack phase runs it (bench/EvalStudy), on the model itself and on masked twins, then
# bench/evaluation/summarise.py's tables: attack by attack, the worst case, Square against the gradient attacks, and
# how often each check fired.
# Usage: bench/evaluation/run.sh --models DIR [--subset 300] [--suite reliable] [--variants plain,rescaled,quantized]
#                                [--only m1,m2] [--old-trainer PATH] [--out bench/results/evaluation]
#   DIR holds one folder per trained experiment (spec.json or result.json, best/model.bin), e.g. made by
#   bench/evaluation/train-models.sh. --old-trainer also scores the plain models with an older trainer's own `reliable`
#   suite (its `attack` command), for the before/after comparison. Results already present are kept (rerun = resume).
set -euo pipefail
cd "$(dirname "$0")/../.."
models="" subset=300 suite=reliable variants=plain old="" out=bench/results/evaluation only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --models) models="$2"; shift 2 ;; --subset) subset="$2"; shift 2 ;; --suite) suite="$2"; shift 2 ;;
    --variants) variants="$2"; shift 2 ;; --old-trainer) old="$2"; shift 2 ;; --out) out="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    *) echo "unknown option $1; see the header of $0" >&2; exit 2 ;;
  esac
done
[ -d "$models" ] || { echo "--models: '$models' is not a directory of trained experiments" >&2; exit 2; }
# STUDY=PATH runs a copy of EvalStudy built elsewhere (a long run is then not disturbed by rebuilds of the checkout).
study=${STUDY:-bench/EvalStudy/bin/Release/net10.0/linux-x64/EvalStudy}
[ -n "${STUDY:-}" ] || dotnet build bench/EvalStudy -c Release -m:1 -v q -nologo >/dev/null
tcmalloc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
mkdir -p "$out"
for dir in "$models"/*/; do
  name=$(basename "$dir")
  if [ -n "$only" ] && [[ ",$only," != *",$name,"* ]]; then continue; fi
  spec="$dir/spec.json"
  [ -f "$spec" ] || { spec="$out/$name.spec.json"; python3 -c "import json,sys; print(json.dumps(json.load(open(sys.argv[1]))['spec']))" "$dir/result.json" > "$spec"; }
  for variant in ${variants//,/ }; do
    result="$out/$name--$variant--$suite.json"
    [ -f "$result" ] && continue
    echo "[$(date +%T)] $name $variant $suite ($subset images)" >&2
    LD_PRELOAD=$tcmalloc "$study" "$spec" "$dir/best/model.bin" --suite "$suite" --subset "$subset" --variant "$variant" \
      --out "$result.tmp" 2>"$out/$name--$variant--$suite.log" && mv "$result.tmp" "$result"
  done
  if [ -n "$old" ] && [ ! -f "$out/$name--plain--old-reliable.json" ]; then
    echo "[$(date +%T)] $name old reliable ($subset images)" >&2
    LD_PRELOAD=$tcmalloc "$old" attack --spec "$spec" --checkpoint "$dir/best/model.bin" --suite reliable --subset "$subset" \
      --result "$out/$name--plain--old-reliable.json" --threads 2 >/dev/null
  fi
done
python3 bench/evaluation/summarise.py "$out" | tee "$out/summary.md"
