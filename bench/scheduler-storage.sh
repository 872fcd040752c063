#!/usr/bin/env bash
# The scheduler benchmark on each grain storage an operator runs: memory (the baseline), SQLite (embedded, 1 silo) and
# PostgreSQL (cluster, 1 and 2 silos) side by side. Starts a private PostgreSQL server for it (initdb in a temp
# directory, its own port, default durability settings), stops and deletes it on exit; never uses a system server.
# Usage: bench/scheduler-storage.sh [SchedulerBench options, e.g. --experiments memory=10000,sqlite=3000,postgres=5000 --runs 2]
# Writes bench/results/scheduler-storage.json (options given here come last, so --storage or --json can be overridden).
# Diagnostics: PG_SERVER_OPTIONS adds server settings (e.g. "-c synchronous_commit=off"), PG_CONNECTION_EXTRA is
# appended to the connection string (e.g. "Max Auto Prepare=20").
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "PostgreSQL server binaries not found under /usr/lib/postgresql: apt-get install postgresql" >&2; exit 2; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

dir=$(mktemp -d /tmp/stablesnn-bench-pg.XXXXXX)
# initdb refuses to run as root: run the server tools as postgres then.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
stop() {
  [ -f "$dir/data/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log "private PostgreSQL ($bin) on 127.0.0.1:$port in $dir"
as_pg "$bin/initdb" -D "$dir/data" -U stablesnn --auth=trust -E UTF8 --no-sync >/dev/null
as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 ${PG_SERVER_OPTIONS:-}" start >/dev/null
postmaster=$(head -1 "$dir/data/postmaster.pid")

log "building SchedulerBench (Release)"
dotnet build bench/SchedulerBench -c Release -v q -nologo >/dev/null

mkdir -p bench/results
log "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet bench/SchedulerBench/bin/Release/net10.0/linux-x64/SchedulerBench.dll --storage memory,sqlite,postgres \
  --postgres "Host=127.0.0.1;Port=$port;Username=stablesnn;Database=postgres;${PG_CONNECTION_EXTRA:-}" --postgres-pid "$postmaster" \
  --grid 0 --json bench/results/scheduler-storage.json "$@"
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
