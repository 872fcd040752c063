#!/usr/bin/env bash
# Runs the whole suite (scripts/test.sh, what CI runs) on a crowded machine and says how each run went.
#   scripts/test-under-load.sh [--runs N=3] [--mode crowded|overlap] [--out FILE=/tmp/test-under-load.jsonl]
# crowded: N runs one after the other while stress-ng loads CPU and memory (--cpu 2 --vm 1 --vm-bytes 1G) and another
#          clone of this checkout builds the solution in a loop (its own clone: a second build in the same checkout
#          would rewrite the bin/obj the tests run from).
# overlap: two runs at once, from two clones, nothing else added (they must share no port, database, directory or file).
# Every run is a fresh clone of HEAD; its log is kept beside --out. One JSON line per run: wall time, exit code and the
# passed/failed/skipped counts summed over the test projects, plus the failed tests' names.
set -euo pipefail
runs=3 mode=crowded out=/tmp/test-under-load.jsonl
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift ;; --mode) mode="$2"; shift ;; --out) out="$2"; shift ;;
    *) echo "unknown option $1; see the header of $0" >&2; exit 2 ;;
  esac
  shift
done
case "$mode" in crowded|overlap) ;; *) echo "--mode must be crowded or overlap, not '$mode'" >&2; exit 2 ;; esac
root=$(cd "$(dirname "$0")/.." && pwd)
commit=$(git -C "$root" rev-parse --short HEAD)
work=$(mktemp -d /tmp/test-under-load.XXXX)
mkdir -p "$(dirname "$out")"
pids=()
cleanup() { for p in "${pids[@]}"; do kill -- -"$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# Runs scripts/test.sh in a fresh clone named $1 and appends its JSON line to $out.
one_run() {
  local name=$1 dir=$work/$1 log=$work/$1.log start end rc=0
  git clone -q "$root" "$dir"
  start=$(date +%s)
  (cd "$dir" && ./scripts/test.sh) > "$log" 2>&1 || rc=$?
  end=$(date +%s)
  cp "$log" "$(dirname "$out")/test-under-load-$name.log"
  /usr/bin/python3 - "$log" "$name" "$mode" "$commit" "$((end - start))" "$rc" "$(cut -d' ' -f1-3 /proc/loadavg)" >> "$out" <<'PY'
import json, re, sys
log, name, mode, commit, wall, rc, load = sys.argv[1:]
text = open(log, errors="replace").read()
totals = {"passed": 0, "failed": 0, "skipped": 0}
projects = 0
for m in re.finditer(r"(?:Passed|Failed)!\s+- Failed:\s+(\d+), Passed:\s+(\d+), Skipped:\s+(\d+)", text):
    projects += 1
    totals["failed"] += int(m.group(1)); totals["passed"] += int(m.group(2)); totals["skipped"] += int(m.group(3))
failed = sorted(set(re.findall(r"^\s*Failed (\S+) \[", text, re.M)))
print(json.dumps({"run": name, "mode": mode, "commit": commit, "wall_seconds": int(wall), "exit": int(rc),
                  "projects": projects, **totals, "failed_tests": failed, "load_after": load}))
PY
  tail -1 "$out"
}

if [ "$mode" = crowded ]; then
  command -v stress-ng > /dev/null || { echo "stress-ng is missing: sudo apt-get install -y stress-ng" >&2; exit 1; }
  setsid stress-ng --cpu 2 --vm 1 --vm-bytes 1G --timeout 6h > /dev/null 2>&1 & pids+=($!)
  git clone -q "$root" "$work/build-loop"
  # --no-incremental: every build compiles everything. No build-server shutdown in the loop: it would also stop the
  # compiler server the test run's own build is using.
  setsid bash -c "cd '$work/build-loop' && while :; do dotnet build StableSnn.sln --no-incremental -nologo -v:q > /dev/null 2>&1; done" & pids+=($!)
  for i in $(seq 1 "$runs"); do one_run "crowded-$i"; done
else
  one_run overlap-a & a=$!
  one_run overlap-b & b=$!
  wait $a; wait $b
fi
echo "runs written to $out; logs beside it"
