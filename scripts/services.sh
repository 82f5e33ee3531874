#!/usr/bin/env bash
# Start the PostgreSQL server the store tests use when none answers on 127.0.0.1:5432.
set -u
if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; then
  exit 0
fi
if [ -d /etc/postgresql ] && command -v pg_ctlcluster >/dev/null 2>&1; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start 2>/dev/null || true
  for _ in $(seq 1 20); do pg_isready -q -h 127.0.0.1 -p 5432 && exit 0; sleep 0.5; done
fi
echo "services: PostgreSQL is not available on 127.0.0.1:5432; PostgreSQL store tests will skip" >&2
exit 0
