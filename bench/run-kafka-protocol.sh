#!/usr/bin/env bash
# Kafka's own ProducerPerformance and ConsumerPerformance (with a consumer group) against ingest-service's Kafka listener and against Apache Kafka
# (one KRaft node from ../shared/bench/kafka-anchor/broker.sh), same tool, same settings, runs
# alternating between the two so that both see the same machine (issue 12).
#
#   bench/run-kafka-protocol.sh                 # W1 shape: 100 B, 3 partitions, acks=all; 1M warm-up (produced and
#                                               # consumed), 3 x 2M
#   QUICK=1 bench/run-kafka-protocol.sh         # smoke: 200k warm-up, 1 x 300k
#   SIZE=1024 RECORDS=500000 bench/run-kafka-protocol.sh
#
# Knobs: RECORDS, WARMUP, WARM_READS (3), SIZE, PARTITIONS, ACKS, RUNS, TARGETS ("ours kafka"), LINGER_MS (5, as
# the anchor), SERVICE_JVM_OPTS, SERVICE_JAR (another build of ingest-service), SERVICE_ARGS (e.g.
# --ingest.kafka.native-transport=false), SKIP_BUILD=1, MVN_FLAGS (e.g. -o), ANCHOR (the kafka-anchor folder), OUT.
# Prints one RESULT line per run and the medians; the ratio is ours / Kafka. Each consume line also has the
# server's CPU time during the run (server_cpu_ms, from /proc: user + system of the service's or the broker's
# process), a steadier figure than rec/s on a shared machine: what one consumed run costs the server.
set -euo pipefail

cd "$(dirname "$0")/.."
source scripts/java-env.sh # JAVA_HOME: a JDK 25
ROOT=$(pwd)
ANCHOR=${ANCHOR:-$ROOT/../shared/bench/kafka-anchor}
RECORDS=${RECORDS:-2000000}
WARMUP=${WARMUP:-1000000}
SIZE=${SIZE:-100}
PARTITIONS=${PARTITIONS:-3}
ACKS=${ACKS:-all}
RUNS=${RUNS:-3}
TARGETS=${TARGETS:-ours kafka}
LINGER_MS=${LINGER_MS:-5}
if [[ "${QUICK:-0}" == 1 ]]; then
  RUNS=1; RECORDS=300000; WARMUP=200000
fi
SERVICE_JVM_OPTS=${SERVICE_JVM_OPTS:--Xms1g -Xmx1g -XX:+UseG1GC}
HTTP_PORT=18081
OURS=127.0.0.1:19192
KAFKA=127.0.0.1:19092
OUT=${OUT:-$ROOT/bench/target/kafka-protocol-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
LIB="${KAFKA_ANCHOR_LIB:-$HOME/.cache/kafka-anchor/lib}"

log() { echo "[run-kafka-protocol $(date +%H:%M:%S)] $*" | tee -a "$OUT/summary.txt"; }

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  log "building ingest-service"
  ./mvnw -B -q ${MVN_FLAGS:-} install -DskipTests -pl ingest-service -am
fi
SERVICE_JAR=${SERVICE_JAR:-$ROOT/ingest-service/target/ingest-service-0.1.0-SNAPSHOT-exec.jar}
[[ -f $SERVICE_JAR ]] || { echo "missing $SERVICE_JAR; build first" >&2; exit 1; }

DATA=$(mktemp -d /tmp/tributary-kafka-protocol-XXXXXX)
SERVICE_PID=
KAFKA_STARTED=0
cleanup() {
  if [[ -n "$SERVICE_PID" ]] && kill -0 "$SERVICE_PID" 2>/dev/null; then
    kill "$SERVICE_PID" 2>/dev/null || true
    for _ in $(seq 30); do kill -0 "$SERVICE_PID" 2>/dev/null || break; sleep 1; done
    kill -9 "$SERVICE_PID" 2>/dev/null || true
  fi
  if [[ "$KAFKA_STARTED" == 1 ]]; then "$ANCHOR/broker.sh" stop >/dev/null 2>&1 || true; fi
  rm -rf "$DATA"
}
trap cleanup EXIT

if [[ " $TARGETS " == *" kafka "* ]]; then
  if ! "$ANCHOR/broker.sh" status | grep -q running; then
    log "starting Apache Kafka (one node) from $ANCHOR"
    "$ANCHOR/broker.sh" start >> "$OUT/kafka-broker.log" 2>&1
    KAFKA_STARTED=1
  fi
elif ! ls "$LIB"/kafka-tools-*.jar >/dev/null 2>&1; then
  # Kafka's tools come from the anchor's jar folder; fetch it once (no broker started).
  "$ANCHOR/broker.sh" status >/dev/null 2>&1 || true
fi

if [[ " $TARGETS " == *" ours "* ]]; then
  # No initial rebalance delay, as the anchor broker (group.initial.rebalance.delay.ms=0).
  log "starting ingest-service, Kafka listener on $OURS"
  java $SERVICE_JVM_OPTS -jar "$SERVICE_JAR" --server.port=$HTTP_PORT --server.address=127.0.0.1 \
    --ingest.data-dir="$DATA/ingest" --ingest.kafka.port=${OURS##*:} --ingest.kafka.advertised-host=127.0.0.1 \
    --ingest.kafka.group-initial-rebalance-delay=0s ${SERVICE_ARGS:-} \
    > "$OUT/ingest.log" 2>&1 &
  SERVICE_PID=$!
  for _ in $(seq 120); do
    curl -sf -o /dev/null "http://127.0.0.1:$HTTP_PORT/actuator/health/readiness" && break
    kill -0 "$SERVICE_PID" 2>/dev/null || { echo "ingest-service exited; see $OUT/ingest.log" >&2; exit 1; }
    sleep 1
  done
fi

TOOL_OPTS=(-Xmx512m -XX:+UseG1GC -cp "$LIB/*" -Dlog4j2.configurationFile="$ANCHOR/tools-log4j2.properties")
tool() { java "${TOOL_OPTS[@]}" "$@"; }

# produce <target> <bootstrap> <topic> <records>: one ProducerPerformance run on a fresh topic; echoes rec/s
produce() {
  local target=$1 bs=$2 topic=$3 n=$4
  tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$bs" --create --topic "$topic" \
    --partitions "$PARTITIONS" --replication-factor 1 >> "$OUT/$target.log" 2>&1
  local line
  line=$(tool org.apache.kafka.tools.ProducerPerformance --topic "$topic" --num-records "$n" --record-size "$SIZE" \
    --throughput -1 --producer-props bootstrap.servers="$bs" acks="$ACKS" linger.ms="$LINGER_MS" 2>&1 \
    | tee -a "$OUT/$target.log" | grep '50th' | tail -1)
  # "N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency, P50 ms 50th, ..."
  echo "$line" | sed -E 's/^([0-9]+) records sent, ([0-9.]+) records\/sec \(([0-9.]+) MB\/sec\), ([0-9.]+) ms avg latency, ([0-9.]+) ms max latency, ([0-9]+) ms 50th, ([0-9]+) ms 95th, ([0-9]+) ms 99th.*/sent=\1 rps=\2 mbps=\3 p50_ms=\6 p99_ms=\8/'
}

# cpu_ms <pid>: user + system CPU time the process has used, in ms (clock ticks of 10 ms)
cpu_ms() { awk '{print ($14 + $15) * 10}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# server_pid <target>: the process that serves the target
server_pid() {
  if [[ $1 == ours ]]; then echo "$SERVICE_PID"; else cat "${ANCHOR_KAFKA_RUN_DIR:-/tmp/anchor-kafka-run}/broker.pid" 2>/dev/null \
    || pgrep -f 'kafka\.Kafka' | head -1; fi
}

# consume <target> <bootstrap> <topic> <records> [read]: one ConsumerPerformance run (a new consumer group,
# numbered by read) over the topic
consume() {
  local target=$1 bs=$2 topic=$3 n=$4 read=${5:-1}
  local line pid before
  pid=$(server_pid "$target")
  before=$(cpu_ms "$pid")
  line=$(tool org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$bs" --topic "$topic" --messages "$n" \
    --timeout 60000 --group "perf-$topic-$read" 2>&1 | tee -a "$OUT/$target.log" | tail -1)
  # start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms,
  # fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
  echo "$line" | awk -F', ' -v cpu=$(( $(cpu_ms "$pid") - before )) \
    '{printf "consumed=%s rps=%.0f fetch_rps=%.0f rebalance_ms=%s server_cpu_ms=%s", $5, $6, $10, $7, cpu}'
}

bootstrap_of() { if [[ $1 == ours ]]; then echo $OURS; else echo $KAFKA; fi; }

log "load average $(cut -d' ' -f1-3 /proc/loadavg); ${SIZE} B, $PARTITIONS partitions, acks=$ACKS, warm-up $WARMUP, $RUNS x $RECORDS"
# The warm-up topic is also read back once, so that neither server's first measured consume run pays for
# compiling its fetch path (C2 took 1-3 s of CPU on both in a first run, on a 2-core machine shared with the tools).
# WARM_READS (3) reads of it: on a 2-core machine both JVMs were still compiling (C2 at 20% of the service's
# CPU) after one; the server CPU of a consumed run fell by a third over the first four on both.
for t in $TARGETS; do
  log "warm-up $t: $(produce "$t" "$(bootstrap_of "$t")" "warm-$t-$$" "$WARMUP")"
  for read in $(seq "${WARM_READS:-3}"); do
    log "warm-up $t: $(consume "$t" "$(bootstrap_of "$t")" "warm-$t-$$" "$WARMUP" "$read")"
  done
done
declare -A RPS CRPS CPU
for run in $(seq "$RUNS"); do
  for t in $TARGETS; do
    result=$(produce "$t" "$(bootstrap_of "$t")" "run$run-$t-$$" "$RECORDS")
    log "RESULT target=$t run=$run mode=produce $result load=$(cut -d' ' -f1 /proc/loadavg)"
    RPS[$t]+="$(echo "$result" | sed -E 's/.*rps=([0-9.]+).*/\1/') "
    result=$(consume "$t" "$(bootstrap_of "$t")" "run$run-$t-$$" "$RECORDS")
    log "RESULT target=$t run=$run mode=consume $result load=$(cut -d' ' -f1 /proc/loadavg)"
    CRPS[$t]+="$(echo "$result" | sed -E 's/.* rps=([0-9.]+).*/\1/') "
    CPU[$t]+="$(echo "$result" | sed -E 's/.*server_cpu_ms=([0-9]+).*/\1/') "
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
for t in $TARGETS; do
  log "MEDIAN target=$t mode=produce rps=$(echo "${RPS[$t]}" | median) runs=[${RPS[$t]% }]"
  log "MEDIAN target=$t mode=consume rps=$(echo "${CRPS[$t]}" | median) runs=[${CRPS[$t]% }]"
  log "MEDIAN target=$t mode=consume server_cpu_ms=$(echo "${CPU[$t]}" | median) runs=[${CPU[$t]% }]"
done
if [[ " $TARGETS " == *" ours "* && " $TARGETS " == *" kafka "* ]]; then
  log "RATIO mode=produce ours/kafka=$(awk -v a="$(echo "${RPS[ours]}" | median)" -v b="$(echo "${RPS[kafka]}" | median)" 'BEGIN {printf "%.2f", a / b}')"
  log "RATIO mode=consume ours/kafka=$(awk -v a="$(echo "${CRPS[ours]}" | median)" -v b="$(echo "${CRPS[kafka]}" | median)" 'BEGIN {printf "%.2f", a / b}')"
fi
log "load average at the end $(cut -d' ' -f1-3 /proc/loadavg); logs: $OUT"
