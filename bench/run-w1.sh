#!/usr/bin/env bash
# Runs WORKLOADS.md W1 (produce/fetch over HTTP) against a freshly started ingest-service.
#
#   bench/run-w1.sh                  # full W1: ~10-15 minutes on the 2-core reference machine
#   QUICK=1 bench/run-w1.sh          # smoke: tiny record counts, 1 run each (checks the tooling only)
#
# Knobs (environment): PORT, RUNS, RECORDS_100, RECORDS_1K, WARMUP, WARMUP_1K, RATE, RATE_RECORDS,
# RATE_WARMUP, CLIENTS, SERVICE_JVM_OPTS, DRIVER_JVM_OPTS, JFR=1 (flight recording of the service),
# SKIP_BUILD=1, MVN_FLAGS (e.g. -o), OUT (folder for logs; default bench/target/w1-<time>).
# The service gets a fresh data directory under /tmp (about 4 GB for the full run), deleted at the end.
set -euo pipefail

cd "$(dirname "$0")/.."
source scripts/java-env.sh # JAVA_HOME: a JDK 25
ROOT=$(pwd)

PORT=${PORT:-18081}
RUNS=${RUNS:-3}
RECORDS_100=${RECORDS_100:-2000000}
RECORDS_1K=${RECORDS_1K:-500000}
WARMUP=${WARMUP:-1000000}
WARMUP_1K=${WARMUP_1K:-1000000}
RATE=${RATE:-20000}
RATE_RECORDS=${RATE_RECORDS:-600000}   # 30 s at 20,000 records/s
RATE_WARMUP=${RATE_WARMUP:-200000}     # 10 s at 20,000 records/s
CLIENTS=${CLIENTS:-4}
if [[ "${QUICK:-0}" == 1 ]]; then
  RUNS=1; RECORDS_100=100000; RECORDS_1K=20000; WARMUP=50000; WARMUP_1K=10000
  RATE_RECORDS=40000; RATE_WARMUP=10000
fi
SERVICE_JVM_OPTS=${SERVICE_JVM_OPTS:--Xms2g -Xmx2g -XX:+UseG1GC}
DRIVER_JVM_OPTS=${DRIVER_JVM_OPTS:--Xms1g -Xmx1g -XX:+UseG1GC}
OUT=${OUT:-$ROOT/bench/target/w1-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
URL=http://127.0.0.1:$PORT

log() { echo "[run-w1 $(date +%H:%M:%S)] $*" | tee -a "$OUT/w1.log"; }

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  log "building ingest-service and bench"
  ./mvnw -B -q ${MVN_FLAGS:-} install -DskipTests -pl bench -am
fi
SERVICE_JAR=$ROOT/ingest-service/target/ingest-service-0.1.0-SNAPSHOT-exec.jar
BENCH_JAR=$ROOT/bench/target/benchmarks.jar
[[ -f $SERVICE_JAR && -f $BENCH_JAR ]] || { echo "missing $SERVICE_JAR or $BENCH_JAR; build first" >&2; exit 1; }

if curl -s -o /dev/null "$URL/actuator/health"; then
  echo "something already listens on port $PORT; set PORT" >&2
  exit 1
fi

DATA=$(mktemp -d /tmp/tributary-w1-XXXXXX)
JFR_OPTS=()
if [[ "${JFR:-0}" == 1 ]]; then
  JFR_OPTS=("-XX:+FlightRecorder" "-XX:StartFlightRecording=filename=$OUT/service.jfr,settings=profile,dumponexit=true")
fi
SERVICE_PID=
cleanup() {
  if [[ -n "$SERVICE_PID" ]] && kill -0 "$SERVICE_PID" 2>/dev/null; then
    kill "$SERVICE_PID" 2>/dev/null || true
    for _ in $(seq 30); do kill -0 "$SERVICE_PID" 2>/dev/null || break; sleep 1; done
    kill -9 "$SERVICE_PID" 2>/dev/null || true
  fi
  rm -rf "$DATA"
}
trap cleanup EXIT

{
  echo "machine: $(nproc) cpus, $(free -g | awk '/Mem:/{print $2}') GiB, load avg $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo n/a)"
  echo "service JVM: $SERVICE_JVM_OPTS ${JFR_OPTS[*]:-}"
  echo "driver JVM: $DRIVER_JVM_OPTS"
  echo "data dir: $DATA"
} | tee -a "$OUT/w1.log"

log "starting ingest-service on port $PORT"
# shellcheck disable=SC2086
java $SERVICE_JVM_OPTS "${JFR_OPTS[@]}" -jar "$SERVICE_JAR" \
  --server.port="$PORT" --ingest.data-dir="$DATA/data" --ingest.kafka.port=0 > "$OUT/service.log" 2>&1 &
SERVICE_PID=$!
for i in $(seq 120); do
  if curl -sf -o /dev/null "$URL/actuator/health"; then break; fi
  if ! kill -0 "$SERVICE_PID" 2>/dev/null; then echo "service died; see $OUT/service.log" >&2; exit 1; fi
  sleep 1
done
curl -sf -o /dev/null "$URL/actuator/health" || { echo "service not healthy after 120 s" >&2; exit 1; }
log "service up (pid $SERVICE_PID) after ${i} s"

driver() {
  local name=$1; shift
  log "scenario $name: $*"
  # shellcheck disable=SC2086
  java $DRIVER_JVM_OPTS -cp "$BENCH_JAR" io.tributary.bench.LoadDriver --url "$URL" --server-pid "$SERVICE_PID" \
    --runs "$RUNS" "$@" 2>&1 | tee "$OUT/$name.log" | tee -a "$OUT/w1.log"
  grep -h '^MEDIAN\|^RESULT' "$OUT/$name.log" | sed "s/^/$name /" >> "$OUT/summary.txt"
}

driver produce-100B --mode produce --topic w1-100b --partitions 3 --record-bytes 100 --batch 1000 \
  --clients "$CLIENTS" --records "$RECORDS_100" --warmup "$WARMUP"
driver fetch-100B --mode fetch --topic w1-100b --partitions 3 --record-bytes 100 --records 0 --warmup "$WARMUP"
driver produce-1KiB --mode produce --topic w1-1k --partitions 3 --record-bytes 1024 --batch 1000 \
  --clients "$CLIENTS" --records "$RECORDS_1K" --warmup "$WARMUP_1K"
driver fetch-1KiB --mode fetch --topic w1-1k --partitions 3 --record-bytes 1024 --records 0 --warmup "$WARMUP_1K"
driver fixed-rate-20k --mode fixed-rate --topic w1-rate --partitions 3 --record-bytes 100 --batch 1000 \
  --clients "$CLIENTS" --rate "$RATE" --records "$RATE_RECORDS" --warmup "$RATE_WARMUP"

log "stopping the service"
cleanup
SERVICE_PID=
echo
echo "==================== W1 summary (load avg now $(cut -d' ' -f1-3 /proc/loadavg)) ===================="
if [[ "$RUNS" -gt 1 ]]; then grep MEDIAN "$OUT/summary.txt"; else grep RESULT "$OUT/summary.txt"; fi
echo "logs: $OUT"
