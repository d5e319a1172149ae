#!/usr/bin/env bash
# Runs a command with a PostgreSQL: `scripts/ensure-postgres.sh [--] COMMAND [ARGS…]` (see
# docs/local-database.md). DATABASE_URL is used as is when set; otherwise the server on
# 127.0.0.1:5432 (ERPSYNC_LOCAL_PG_PORT) when one answers; otherwise an embedded PostgreSQL started
# there for the command's lifetime. COMMAND gets the effective DATABASE_URL.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
entry="$ROOT/dist/libs/stack/src/local-postgres.main.js"
if [ ! -f "$entry" ]; then (cd "$ROOT" && npm run -s build >&2); fi
exec node -r "$ROOT/scripts/preload-dist.js" "$entry" "$@"
