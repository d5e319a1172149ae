#!/usr/bin/env bash
# The README's test command (`npm test`): installs what is missing, starts the local Kafka broker and
# PostgreSQL when needed, builds, lints, runs every test tier, prints `N passed, N failed`.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export TZ=UTC
mkdir -p .run

[ -d node_modules ] || npm ci --no-audit --no-fund

started_kafka=0
cleanup() { if [ "$started_kafka" = 1 ]; then scripts/kafka.sh stop >/dev/null 2>&1 || true; fi; }
trap cleanup EXIT

scripts/ensure-postgres.sh || exit 1
if ! scripts/kafka.sh status >/dev/null 2>&1; then
  scripts/kafka.sh start || exit 1
  started_kafka=1
fi

status=0
echo "== build"; npm run -s build || status=1
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
