#!/usr/bin/env bash
# Runs one part of the fmnist-alpha study (a sweep over some of its alphas and seeds, everything else the study's spec)
# on the embedded silo and exports it under docs/studies/fmnist-alpha/parts/PART with the spec it ran and run.txt.
#   docs/studies/fmnist-alpha/run-part.sh PART "ALPHAS" "SEEDS"     e.g.  run-part.sh p2 "0, 1" 43
# `stablesnn study` refuses a part whose spec trains or scores any cell differently from the study's.
set -euo pipefail
part=$1 alphas=$2 seeds=$3
root=$(cd "$(dirname "$0")/../../.." && pwd)
study=$root/examples/studies/fmnist-alpha.yaml
out=$root/docs/studies/fmnist-alpha/parts/$part
work=$(mktemp -d)
sed -e "s/^name: .*/name: fmnist-alpha-$part/" -e "s/^alphas: .*/alphas: [$alphas]/" -e "s/^seeds: .*/seeds: [$seeds]/" \
  "$study" | grep -v '^#' > "$work/spec.yaml"
started=$(date -u +%FT%TZ)
cd "$root"
dotnet build src/Client -c Release -v q -nologo > /dev/null
dotnet run --project src/Client -c Release --no-build -- run "$work/spec.yaml" --out "$work/results"
mkdir -p "$out"
cp "$work/results"/{results.json,results.csv,attempts.csv,report.html,slot-timeline.png} "$out"/
cp "$work/spec.yaml" "$out/spec.yaml"
cat > "$out/run.txt" <<TXT
command: docs/studies/fmnist-alpha/run-part.sh $part "$alphas" "$seeds"
commit: $(git -C "$root" rev-parse HEAD)
started: $started
finished: $(date -u +%FT%TZ)
machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB, $(uname -sr)
TXT
echo "part $part exported to $out"
