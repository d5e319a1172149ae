#!/usr/bin/env bash
# Makes sure PostgreSQL answers at DATABASE_URL's host: starts the local Debian cluster when it is
# installed and stopped. Does nothing for a remote server.
set -euo pipefail
url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/erpsync}"
hostport="$(node -e 'const u=new URL(process.argv[1]);process.stdout.write(`${u.hostname} ${u.port||5432}`)' "$url")"
host="${hostport% *}"; port="${hostport#* }"
if pg_isready -q -h "$host" -p "$port" 2>/dev/null; then exit 0; fi
case "$host" in
  127.0.0.1|localhost|::1) ;;
  *) echo "ensure-postgres: $host:$port does not answer (remote server; not starting anything)" >&2; exit 1 ;;
esac
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  version="$(ls /etc/postgresql | sort -V | tail -1)"
  echo "ensure-postgres: starting local PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
fi
for _ in $(seq 1 60); do pg_isready -q -h "$host" -p "$port" && exit 0; sleep 0.5; done
echo "ensure-postgres: PostgreSQL at $host:$port is not reachable" >&2
exit 1
