#!/usr/bin/env bash
# Runs WORKLOADS.md W2's analytics scenarios against a freshly started ingest-service and
# analytics-service: (a) available-now drain of 1,000,000 events, (b) a 1-second trigger under a
# live load of 10,000 events/s, the idle cost, and one-event latency probes into the idle job.
#
#   bench/run-analytics.sh                 # ~4-6 minutes on the 2-core reference machine
#   QUICK=1 bench/run-analytics.sh         # smoke: 100,000 events, 1 run, short live phase
#   ENGINES="builtin spark" bench/run-analytics.sh   # the same scenarios on both engines, one after the other,
#                                                    # against the same services (docs/spark.md)
#
# Knobs (environment): INGEST_PORT, ANALYTICS_PORT, RUNS, EVENTS, PROBES, LIVE_RATE, LIVE_SECONDS,
# IDLE_SECONDS, SCENARIO (all|drain|live), ENGINES (builtin), KAFKA_PORT (the ingest Kafka listener, for Spark),
# INGEST_JVM_OPTS, ANALYTICS_JVM_OPTS, DRIVER_JVM_OPTS, SPARK_DRIVER_JAVA_OPTS (the Spark drivers' JVM, e.g. a
# -XX:StartFlightRecording),
# ANALYTICS_JAR (another build of the service, e.g. an older commit's, for a before/after comparison),
# JFR=1 (flight recording of analytics-service), SKIP_BUILD=1, MVN_FLAGS (e.g. -o), OUT (log folder;
# default bench/target/analytics-<time>). Both services get fresh data folders under /tmp, deleted
# at the end.
set -euo pipefail

cd "$(dirname "$0")/.."
source scripts/java-env.sh # JAVA_HOME: a JDK 25
ROOT=$(pwd)

INGEST_PORT=${INGEST_PORT:-18081}
ANALYTICS_PORT=${ANALYTICS_PORT:-18083}
RUNS=${RUNS:-3}
EVENTS=${EVENTS:-1000000}
PROBES=${PROBES:-21}
LIVE_RATE=${LIVE_RATE:-10000}
LIVE_SECONDS=${LIVE_SECONDS:-30}
IDLE_SECONDS=${IDLE_SECONDS:-20}
SCENARIO=${SCENARIO:-all}
ENGINES=${ENGINES:-builtin}
KAFKA_PORT=${KAFKA_PORT:-19092}
if [[ "${QUICK:-0}" == 1 ]]; then
  RUNS=1; EVENTS=100000; PROBES=5; LIVE_SECONDS=5; IDLE_SECONDS=5
fi
INGEST_JVM_OPTS=${INGEST_JVM_OPTS:--Xms1g -Xmx1g -XX:+UseG1GC}
ANALYTICS_JVM_OPTS=${ANALYTICS_JVM_OPTS:--Xms1g -Xmx1g -XX:+UseG1GC}
DRIVER_JVM_OPTS=${DRIVER_JVM_OPTS:--Xmx512m -XX:+UseG1GC}
OUT=${OUT:-$ROOT/bench/target/analytics-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
INGEST_URL=http://127.0.0.1:$INGEST_PORT
ANALYTICS_URL=http://127.0.0.1:$ANALYTICS_PORT

LOG_TAG=run-analytics
LOG_FILE=$OUT/analytics.log
# shellcheck source=bench/lib/services.sh
source "$ROOT/bench/lib/services.sh"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  log "building ingest-service, analytics-service and bench"
  if [[ " $ENGINES " == *" spark "* ]]; then
    ./mvnw -B -q ${MVN_FLAGS:-} install -DskipTests -pl bench,analytics-service,ingest-service,analytics-spark -am
  else
    ./mvnw -B -q ${MVN_FLAGS:-} install -DskipTests -pl bench,analytics-service -am
  fi
fi
INGEST_JAR=$ROOT/ingest-service/target/ingest-service-0.1.0-SNAPSHOT-exec.jar
ANALYTICS_JAR=${ANALYTICS_JAR:-$ROOT/analytics-service/target/analytics-service-0.1.0-SNAPSHOT.jar}
BENCH_JAR=$ROOT/bench/target/benchmarks.jar
require_jars "$INGEST_JAR" "$ANALYTICS_JAR" "$BENCH_JAR"
require_free_urls "$INGEST_URL" "$ANALYTICS_URL"

DATA=$(mktemp -d /tmp/tributary-analytics-bench-XXXXXX)
mkdir -p "$DATA/ingest" "$DATA/analytics"
jfr_options analytics
INGEST_PID=
ANALYTICS_PID=
cleanup() {
  stop_pid "$ANALYTICS_PID"
  stop_pid "$INGEST_PID"
  rm -rf "$DATA"
}
trap cleanup EXIT

{
  machine_header
  echo "ingest JVM: $INGEST_JVM_OPTS; analytics JVM: $ANALYTICS_JVM_OPTS ${JFR_OPTS[*]:-}; driver JVM: $DRIVER_JVM_OPTS"
} | tee -a "$OUT/analytics.log"

log "starting ingest-service on port $INGEST_PORT"
# shellcheck disable=SC2086
KAFKA_ARGS=(--ingest.kafka.port=0)
SPARK_ARGS=()
if [[ " $ENGINES " == *" spark "* ]]; then
  [[ -n ${TRIBUTARY_SPARK_JAVA_HOME:-} ]] || { echo "engine spark needs a JDK 17 or 21 (TRIBUTARY_SPARK_JAVA_HOME)" >&2; exit 1; }
  KAFKA_ARGS=(--ingest.kafka.port="$KAFKA_PORT" --ingest.kafka.advertised-host=127.0.0.1)
  SPARK_ARGS=(--analytics.spark.spark-home="$ROOT/analytics-spark/target/spark-home"
    --analytics.spark.java-home="$TRIBUTARY_SPARK_JAVA_HOME" --analytics.spark.kafka.bootstrap.servers="127.0.0.1:$KAFKA_PORT"
    --analytics.spark.checkpoint-dir="$DATA/analytics/spark")
  if [[ -n ${SPARK_DRIVER_JAVA_OPTS:-} ]]; then
    SPARK_ARGS+=("--analytics.spark.conf[spark.driver.extraJavaOptions]=$SPARK_DRIVER_JAVA_OPTS")
  fi
fi
java $INGEST_JVM_OPTS -jar "$INGEST_JAR" --server.port="$INGEST_PORT" --ingest.data-dir="$DATA/ingest/data" "${KAFKA_ARGS[@]}" \
  > "$OUT/ingest-service.log" 2>&1 &
INGEST_PID=$!
await_health "$INGEST_URL" "$INGEST_PID" ingest-service

log "starting analytics-service on port $ANALYTICS_PORT (H2 file database under $DATA/analytics)"
# shellcheck disable=SC2086
(cd "$DATA/analytics" && exec java $ANALYTICS_JVM_OPTS "${JFR_OPTS[@]}" -jar "$ANALYTICS_JAR" \
  --server.port="$ANALYTICS_PORT" --analytics.ingest-url="$INGEST_URL" "${SPARK_ARGS[@]}") > "$OUT/analytics-service.log" 2>&1 &
ANALYTICS_PID=$!
await_health "$ANALYTICS_URL" "$ANALYTICS_PID" analytics-service

: > "$OUT/driver.log"
for ENGINE in $ENGINES; do
  log "driver: engine $ENGINE, scenario $SCENARIO, $EVENTS events, $RUNS runs"
  # shellcheck disable=SC2086
  java $DRIVER_JVM_OPTS -cp "$BENCH_JAR" io.tributary.bench.AnalyticsDriver --ingest-url "$INGEST_URL" \
    --analytics-url "$ANALYTICS_URL" --analytics-pid "$ANALYTICS_PID" --ingest-pid "$INGEST_PID" --events "$EVENTS" --runs "$RUNS" \
    --probes "$PROBES" --live-rate "$LIVE_RATE" --live-seconds "$LIVE_SECONDS" --idle-seconds "$IDLE_SECONDS" \
    --scenario "$SCENARIO" --engine "$ENGINE" 2>&1 | tee -a "$OUT/driver.log" | tee -a "$OUT/analytics.log"
done

PEAK_RSS=$(awk '/VmHWM/{printf "%.0f MiB", $2/1024}' "/proc/$ANALYTICS_PID/status" 2>/dev/null || echo n/a)
echo "RESULT analytics-service peak RSS $PEAK_RSS" | tee -a "$OUT/driver.log" | tee -a "$OUT/analytics.log"
log "stopping the services"
cleanup
ANALYTICS_PID=
INGEST_PID=
echo
echo "==================== W2 analytics summary (load avg now $(cut -d' ' -f1-3 /proc/loadavg)) ===================="
grep '^RESULT' "$OUT/driver.log"
echo "logs: $OUT"
