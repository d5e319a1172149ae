#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft, broker+controller) for tests, the demo and benchmarks.
#   scripts/kafka.sh start|stop|status|restart|logs
# The broker comes from Maven Central through kafka/pom.xml; nothing else is downloaded.
# With KAFKA_BROKERS set to anything but the local default the script does nothing: an external
# cluster is used as it is.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${KAFKA_LOCAL_DIR:-$ROOT/kafka/.cache}"
LIBS="$ROOT/kafka/.cache/libs"
DATA="$CACHE/data"
PIDFILE="$CACHE/kafka.pid"
LOG="$CACHE/kafka.log"
CONF="$CACHE/server.properties"
PORT="${KAFKA_LOCAL_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_LOCAL_CONTROLLER_PORT:-9093}"
LOCAL_BROKERS="127.0.0.1:$PORT"

external() { [ -n "${KAFKA_BROKERS:-}" ] && [ "${KAFKA_BROKERS}" != "$LOCAL_BROKERS" ] && [ "${KAFKA_BROKERS}" != "localhost:$PORT" ]; }

classpath() {
  if [ ! -f "$LIBS/.complete" ]; then
    echo "kafka.sh: fetching the Kafka broker from Maven Central (kafka/pom.xml)" >&2
    mvn -q -B -f "$ROOT/kafka/pom.xml" dependency:copy-dependencies >&2
    touch "$LIBS/.complete"
  fi
  echo "$LIBS/*"
}

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

java_run() { # main class, args...
  local main="$1"; shift
  java -Xmx256m -cp "$(classpath)" -Dlog4j2.configurationFile="$CACHE/log4j2-tools.yaml" "$main" "$@"
}

write_config() {
  mkdir -p "$CACHE" "$DATA"
  cat > "$CONF" <<CFG
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$DATA
num.partitions=6
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.hours=24
log.segment.bytes=67108864
CFG
  cat > "$CACHE/log4j2.yaml" <<'L4J'
Configuration:
  Appenders:
    Console: { name: STDOUT, PatternLayout: { pattern: "[%d] %p %m (%c)%n" } }
  Loggers:
    Root: { level: INFO, AppenderRef: [ { ref: STDOUT } ] }
    Logger:
      - { name: kafka, level: WARN }
      - { name: org.apache.kafka, level: WARN }
      - { name: kafka.server.KafkaRaftServer, level: INFO }
      - { name: kafka.server.BrokerServer, level: INFO }
L4J
  cat > "$CACHE/log4j2-tools.yaml" <<'L4J'
Configuration:
  Appenders:
    Console: { name: STDERR, target: SYSTEM_ERR, PatternLayout: { pattern: "%p %m%n" } }
  Loggers:
    Root: { level: WARN, AppenderRef: [ { ref: STDERR } ] }
L4J
}

format_once() {
  if [ ! -f "$DATA/meta.properties" ]; then
    local cluster_id
    cluster_id="$(java_run org.apache.kafka.tools.StorageTool random-uuid 2>/dev/null || java_run kafka.tools.StorageTool random-uuid)"
    java_run kafka.tools.StorageTool format -t "$cluster_id" -c "$CONF" >>"$LOG" 2>&1
  fi
}

start() {
  if external; then echo "kafka.sh: KAFKA_BROKERS=$KAFKA_BROKERS is external; not starting a local broker"; return 0; fi
  if running; then echo "kafka.sh: already running (pid $(cat "$PIDFILE")) on $LOCAL_BROKERS"; return 0; fi
  if node_ready; then echo "kafka.sh: a broker already answers on $LOCAL_BROKERS (not started here; left alone)"; return 0; fi
  write_config
  classpath >/dev/null
  format_once
  echo "kafka.sh: starting Kafka $(ls "$LIBS" | sed -n 's/^kafka_2.13-\(.*\)\.jar$/\1/p') on $LOCAL_BROKERS (log: $LOG)"
  nohup java -Xmx512m -Xms512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$CACHE/log4j2.yaml" -cp "$LIBS/*" kafka.Kafka "$CONF" >>"$LOG" 2>&1 &
  echo $! > "$PIDFILE"
  local deadline=$((SECONDS + 90))
  until node_ready; do
    if ! running; then echo "kafka.sh: broker exited; last log lines:" >&2; tail -30 "$LOG" >&2; rm -f "$PIDFILE"; return 1; fi
    if [ $SECONDS -ge $deadline ]; then echo "kafka.sh: broker not ready after 90 s" >&2; tail -30 "$LOG" >&2; return 1; fi
    sleep 0.5
  done
  echo "kafka.sh: ready (pid $(cat "$PIDFILE"))"
}

node_ready() {
  (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null || return 1
  node -e "
    const { Kafka, logLevel } = require('kafkajs');
    const admin = new Kafka({ brokers: ['$LOCAL_BROKERS'], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
    admin.connect().then(() => admin.describeCluster()).then(() => admin.disconnect()).then(() => process.exit(0), () => process.exit(1));
  " 2>/dev/null
}

stop() {
  if external; then return 0; fi
  if ! running; then echo "kafka.sh: not running"; rm -f "$PIDFILE"; return 0; fi
  local pid; pid="$(cat "$PIDFILE")"
  kill -TERM "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
  rm -f "$PIDFILE"
  echo "kafka.sh: stopped"
}

status() {
  if external; then echo "external: $KAFKA_BROKERS"; return 0; fi
  if running; then echo "running (pid $(cat "$PIDFILE")) on $LOCAL_BROKERS"; return 0; fi
  if node_ready; then echo "running on $LOCAL_BROKERS (started elsewhere)"; return 0; fi
  echo "stopped"; return 3
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  reset) stop; rm -rf "$DATA" ;;
  logs) tail -n "${2:-100}" "$LOG" ;;
  *) echo "usage: $0 start|stop|restart|status|reset|logs" >&2; exit 2 ;;
esac
