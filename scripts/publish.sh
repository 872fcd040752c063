#!/usr/bin/env bash
# Publishes what a machine without this checkout needs: OUT/silo (the silo with its trainer beside it) and OUT/client
# (the CLI, which can host an embedded silo, with the trainer too). The images, the cluster-from-images test and
# deploy/README.md all use this. Usage: scripts/publish.sh [OUT=out/publish] [--backend cpu|cuda]
set -euo pipefail
cd "$(dirname "$0")/.."
out=out/publish backend=cpu
while [ $# -gt 0 ]; do
  case "$1" in
    --backend) backend="$2"; shift 2 ;;
    -*) echo "publish: unknown option $1 (use --backend cpu|cuda)" >&2; exit 2 ;;
    *) out="$1"; shift ;;
  esac
done
case "$backend" in cpu|cuda) ;; *) echo "publish: --backend must be cpu or cuda, not '$backend'" >&2; exit 2 ;; esac
mkdir -p "$out"
out=$(cd "$out" && pwd)
for app in silo:src/Silo client:src/Client; do
  name=${app%%:*} project=${app#*:}
  rm -rf "$out/$name"
  # The MSBuild target PublishTrainerBeside publishes the trainer into the same folder and fails if it is missing.
  dotnet publish "$project" -c Release -p:TorchBackend="$backend" -o "$out/$name" -nologo -v:q
done
test -x "$out/silo/StableSnn.Trainer" && test -x "$out/client/StableSnn.Trainer" \
  || { echo "publish: a trainer is missing from $out" >&2; exit 1; }
du -sh "$out/silo" "$out/client"
