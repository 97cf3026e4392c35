#!/usr/bin/env bash
# System packages the tests need, from Debian: Chromium for the browser tests, PostgreSQL for the storage
# tests (which also run on SQLite), Redis and nginx for `make cluster` and its test. Installs what is
# missing (root or sudo), then starts PostgreSQL on loopback with a test role and database. Idempotent:
# a second run takes a second.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium chromium-driver)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
# Only the programs: `make cluster` runs its own Redis and nginx as the current user, on its own ports.
[ -x /usr/bin/redis-server ] || missing+=(redis-server)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> Installing ${missing[*]} from Debian's packages"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# PostgreSQL: the distribution's cluster, on 127.0.0.1:5432 only.
read -r version cluster port status _ < <(pg_lsclusters --no-header | head -n1)
if [ "$status" != "online" ]; then
  as_root pg_ctlcluster "$version" "$cluster" start
fi
psql_admin() { as_root runuser -u postgres -- psql -p "$port" -v ON_ERROR_STOP=1 -qtA "$@"; }
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = 'aftercare'")" != 1 ]; then
  psql_admin -c "CREATE ROLE aftercare LOGIN PASSWORD 'aftercare' CREATEDB"
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = 'aftercare_test'")" != 1 ]; then
  psql_admin -c "CREATE DATABASE aftercare_test OWNER aftercare"
fi
echo "PostgreSQL for tests: postgresql+psycopg://aftercare:aftercare@127.0.0.1:$port/aftercare_test"
