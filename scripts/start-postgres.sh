#!/usr/bin/env bash
# Starts the local PostgreSQL cluster and creates the test role and database (tests/Silo.Tests). Idempotent.
# Skipped when STABLESNN_TEST_POSTGRES points the tests at another server.
set -euo pipefail
if [ -n "${STABLESNN_TEST_POSTGRES:-}" ]; then
  echo "postgres: using STABLESNN_TEST_POSTGRES, not starting a local server"; exit 0
fi
command -v pg_lsclusters >/dev/null || { echo "postgres: not installed; run scripts/setup.sh" >&2; exit 1; }

sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }

# The installed major version (15 on Debian 12); the packaging creates one cluster named main.
read -r version cluster _ status _ < <(pg_lsclusters --no-header | head -n1)
[ -n "${version:-}" ] || { echo "postgres: no cluster found (pg_lsclusters)" >&2; exit 1; }
if [ "$status" != "online" ]; then
  echo "postgres: starting cluster $version/$cluster"
  $sudo pg_ctlcluster "$version" "$cluster" start
fi

as_postgres psql -q -v ON_ERROR_STOP=1 <<'SQL'
SELECT 'CREATE ROLE stablesnn LOGIN CREATEDB PASSWORD ''stablesnn'''
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stablesnn') \gexec
SELECT 'CREATE DATABASE stablesnn_test OWNER stablesnn'
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'stablesnn_test') \gexec
SQL
echo "postgres: $version/$cluster online, role stablesnn and database stablesnn_test present"
