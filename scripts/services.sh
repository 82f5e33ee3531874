#!/usr/bin/env bash
# Make sure the PostgreSQL server the store tests use answers on 127.0.0.1:5432 and lets
# the test role `postgres` in from loopback without a password (the tests' URL is
# postgresql+psycopg://postgres@127.0.0.1:5432/...). Installs, creates or starts a
# cluster when needed (root only); otherwise says why the PostgreSQL tests will skip.
set -u
ready() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; }
can_login() { command -v psql >/dev/null 2>&1 && psql -h 127.0.0.1 -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1; }

if ready && can_login; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "services: PostgreSQL is not usable on 127.0.0.1:5432 and this is not root; PostgreSQL store tests will skip" >&2
  exit 0
fi
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "services: installing PostgreSQL (Debian package)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) || true
fi
ver=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1)
if [ -z "$ver" ] && command -v pg_createcluster >/dev/null 2>&1; then
  ver=$(ls /usr/lib/postgresql | sort -V | tail -n1)
  pg_createcluster "$ver" main >/dev/null 2>&1 || true
fi
if [ -n "$ver" ]; then
  hba=/etc/postgresql/$ver/main/pg_hba.conf
  # test-only access: trust loopback for the test databases (first matching line wins)
  if [ -f "$hba" ] && ! grep -q "^host all all 127.0.0.1/32 trust" "$hba"; then
    sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
  fi
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>/dev/null \
    || pg_ctlcluster --skip-systemctl-redirect "$ver" main reload 2>/dev/null || true
  for _ in $(seq 1 30); do ready && break; sleep 0.5; done
  ready && { pg_ctlcluster --skip-systemctl-redirect "$ver" main reload 2>/dev/null || true; }
fi
if ready && can_login; then exit 0; fi
echo "services: PostgreSQL is not usable on 127.0.0.1:5432; PostgreSQL store tests will skip" >&2
exit 0
