#!/usr/bin/env bash
# Runs one part of the fmnist-alpha study (a sweep over some of its alphas and seeds, everything else the study's spec)
# on the embedded silo and exports it under docs/studies/fmnist-alpha/parts/PART with the spec it ran and run.txt.
#   docs/studies/fmnist-alpha/run-part.sh PART "ALPHAS" "SEEDS" [SPEC]    e.g.  run-part.sh p2 "0, 1" 43
# SPEC (default the study's) is the search next to the grid for a search part, whose alphas are proposed ("" keeps them):
#   docs/studies/fmnist-alpha/run-part.sh s1 "" 42 examples/studies/fmnist-alpha-search.yaml
# `stablesnn study` refuses a part whose spec trains or scores any cell differently from the study's.
set -euo pipefail
part=$1 alphas=$2 seeds=$3
root=$(cd "$(dirname "$0")/../../.." && pwd)
study=$root/${4:-examples/studies/fmnist-alpha.yaml}
base=$(sed -n 's/^name: //p' "$study")
out=$root/docs/studies/fmnist-alpha/parts/$part
work=$(mktemp -d)
sed -e "s/^name: .*/name: $base-$part/" -e "${alphas:+s/^alphas: .*/alphas: [$alphas]/}" -e "s/^seeds: .*/seeds: [$seeds]/" \
  "$study" | grep -v '^#' > "$work/spec.yaml"
started=$(date -u +%FT%TZ)
cd "$root"
dotnet build src/Client -c Release -v q -nologo > /dev/null
dotnet run --project src/Client -c Release --no-build -- run "$work/spec.yaml" --out "$work/results"
mkdir -p "$out"
cp "$work/results"/{results.json,results.csv,attempts.csv,report.html,slot-timeline.png} "$out"/
if [ -f "$work/results/search-trials.csv" ]; then cp "$work/results"/search-trials.csv "$out"/; fi
cp "$work/spec.yaml" "$out/spec.yaml"
cat > "$out/run.txt" <<TXT
command: docs/studies/fmnist-alpha/run-part.sh $part "$alphas" "$seeds"${4:+ $4}
commit: $(git -C "$root" rev-parse HEAD)
started: $started
finished: $(date -u +%FT%TZ)
machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB, $(uname -sr)
TXT
echo "part $part exported to $out"
