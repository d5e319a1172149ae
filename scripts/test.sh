#!/usr/bin/env bash
# The README's test command (`npm test`): installs what is missing, builds, starts the local Kafka broker
# when needed, runs everything under scripts/ensure-postgres.sh (DATABASE_URL as is, else the server on
# 127.0.0.1:5432, else an embedded PostgreSQL stopped afterwards; docs/local-database.md), lints, runs
# every test tier, prints `N passed, N failed`.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export TZ=UTC
mkdir -p .run

[ -d node_modules ] || npm ci --no-audit --no-fund

# the database's entry is compiled: build first, then run the rest with the effective DATABASE_URL
if [ -z "${ERPSYNC_TEST_WITH_DATABASE:-}" ]; then
  echo "== build"; npm run -s build || exit 1
  ERPSYNC_TEST_WITH_DATABASE=1 exec bash scripts/ensure-postgres.sh -- bash "$0" "$@"
fi

started_kafka=0
cleanup() { if [ "$started_kafka" = 1 ]; then scripts/kafka.sh stop >/dev/null 2>&1 || true; fi; }
trap cleanup EXIT

if ! scripts/kafka.sh status >/dev/null 2>&1; then
  scripts/kafka.sh start || exit 1
  started_kafka=1
fi

status=0
echo "== lint"; npm run -s lint || status=1
echo "== deployment artefacts"; npm run -s validate:deploy || status=1

echo "== unit, integration and deploy tests"
rm -f .run/jest-*.json
npx jest --ci --maxWorkers=2 --selectProjects unit integration deploy --json --outputFile=.run/jest-main.json "$@" || status=1
# whole-pipeline suites start processes on their own ports, topics and databases: one at a time
echo "== end-to-end tests"
npx jest --ci --runInBand --selectProjects e2e --json --outputFile=.run/jest-e2e.json || status=1
# faults that stop the shared broker or PostgreSQL run alone, after everything else
echo "== fault tests"
npx jest --ci --runInBand --passWithNoTests --selectProjects fault --json --outputFile=.run/jest-fault.json || status=1

node scripts/test-summary.js .run/jest-main.json .run/jest-e2e.json .run/jest-fault.json || status=1
exit $status
