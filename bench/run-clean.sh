#!/usr/bin/env bash
# Runs WORKLOADS.md W3 (cleaning) against a freshly started ingest-service and stream-clean-service:
# throughput of the 5-step pipeline (validate, filter, mask, cast, timestamp) from a pre-filled raw
# topic to the clean topic, then the latency of single records into an idle pipeline.
#
#   bench/run-clean.sh               # 1,000,000 events, 1 warm-up + 3 measured drains, 3 x 200 probes (~5 minutes)
#   QUICK=1 bench/run-clean.sh       # smoke: 100,000 events, 1 run, 50 probes
#
# Knobs (environment): RECORDS, RUNS, WARMUP_RUNS, PROBES, PARTITIONS, PARALLELISM, INGEST_PORT, CLEAN_PORT,
# INGEST_JVM_OPTS, CLEAN_JVM_OPTS, DRIVER_JVM_OPTS, CLEAN_ARGS (extra service arguments, e.g.
# --clean.runner.max-poll-records=5000), CLEAN_JAR (another build of the service, for before/after runs),
# JFR=1 (flight recording of the cleaning service: <OUT>/clean.jfr), SKIP_BUILD=1, MVN_FLAGS (e.g. -o),
# OUT (logs; default bench/target/clean-<time>).
# Both services get fresh data folders under /tmp, deleted at the end.
set -euo pipefail

cd "$(dirname "$0")/.."
source scripts/java-env.sh # JAVA_HOME: a JDK 25
ROOT=$(pwd)

INGEST_PORT=${INGEST_PORT:-18081}
CLEAN_PORT=${CLEAN_PORT:-18082}
RECORDS=${RECORDS:-1000000}
RUNS=${RUNS:-3}
WARMUP_RUNS=${WARMUP_RUNS:-1}
PROBES=${PROBES:-200}
PARTITIONS=${PARTITIONS:-3}
PARALLELISM=${PARALLELISM:-1}
if [[ "${QUICK:-0}" == 1 ]]; then
  RECORDS=100000; RUNS=1; WARMUP_RUNS=0; PROBES=50
fi
INGEST_JVM_OPTS=${INGEST_JVM_OPTS:--Xms1g -Xmx1g -XX:+UseG1GC}
CLEAN_JVM_OPTS=${CLEAN_JVM_OPTS:--Xms1g -Xmx1g -XX:+UseG1GC}
DRIVER_JVM_OPTS=${DRIVER_JVM_OPTS:--Xms512m -Xmx512m -XX:+UseG1GC}
OUT=${OUT:-$ROOT/bench/target/clean-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
INGEST_URL=http://127.0.0.1:$INGEST_PORT
CLEAN_URL=http://127.0.0.1:$CLEAN_PORT

LOG_TAG=run-clean
LOG_FILE=$OUT/clean.log
# shellcheck source=bench/lib/services.sh
source "$ROOT/bench/lib/services.sh"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  log "building ingest-service, stream-clean-service and bench"
  ./mvnw -B -q ${MVN_FLAGS:-} install -DskipTests -pl bench,stream-clean-service -am
fi
INGEST_JAR=$ROOT/ingest-service/target/ingest-service-0.1.0-SNAPSHOT-exec.jar
CLEAN_JAR=${CLEAN_JAR:-$ROOT/stream-clean-service/target/stream-clean-service-0.1.0-SNAPSHOT.jar}
BENCH_JAR=$ROOT/bench/target/benchmarks.jar
require_jars "$INGEST_JAR" "$CLEAN_JAR" "$BENCH_JAR"
require_free_urls "$INGEST_URL" "$CLEAN_URL"

DATA=$(mktemp -d /tmp/tributary-clean-XXXXXX)
jfr_options clean
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  PIDS=()
  rm -rf "$DATA"
}
trap cleanup EXIT

{
  machine_header
  echo "ingest JVM: $INGEST_JVM_OPTS; clean JVM: $CLEAN_JVM_OPTS ${JFR_OPTS[*]:-}; driver JVM: $DRIVER_JVM_OPTS"
  echo "clean jar: $CLEAN_JAR ${CLEAN_ARGS:-}"
  echo "events: $RECORDS, partitions: $PARTITIONS, parallelism: $PARALLELISM, runs: $RUNS (+$WARMUP_RUNS warm-up), probes: $PROBES"
} | tee -a "$OUT/clean.log"

# shellcheck disable=SC2086
java $INGEST_JVM_OPTS -jar "$INGEST_JAR" --server.port="$INGEST_PORT" --ingest.data-dir="$DATA/ingest" --ingest.kafka.port=0 \
  > "$OUT/ingest-service.log" 2>&1 &
PIDS+=($!)
await_health "$INGEST_URL" "${PIDS[0]}" ingest-service
# shellcheck disable=SC2086
java $CLEAN_JVM_OPTS "${JFR_OPTS[@]}" -jar "$CLEAN_JAR" --server.port="$CLEAN_PORT" --clean.ingest-url="$INGEST_URL" \
  --spring.datasource.url="jdbc:h2:file:$DATA/clean/clean;AUTO_SERVER=FALSE;WRITE_DELAY=0" \
  --clean.runner.reconcile-interval=1s ${CLEAN_ARGS:-} > "$OUT/stream-clean-service.log" 2>&1 &
PIDS+=($!)
await_health "$CLEAN_URL" "${PIDS[1]}" stream-clean-service

# shellcheck disable=SC2086
java $DRIVER_JVM_OPTS -cp "$BENCH_JAR" io.tributary.bench.CleanBenchmark --ingest-url "$INGEST_URL" \
  --clean-url "$CLEAN_URL" --clean-pid "${PIDS[1]}" --ingest-pid "${PIDS[0]}" --records "$RECORDS" --runs "$RUNS" --warmup-runs "$WARMUP_RUNS" \
  --probes "$PROBES" --partitions "$PARTITIONS" --parallelism "$PARALLELISM" 2>&1 | tee "$OUT/driver.log" | tee -a "$OUT/clean.log"

log "stopping the services"
cleanup
echo
echo "==================== W3 summary (load avg now $(cut -d' ' -f1-3 /proc/loadavg)) ===================="
grep -h '^RESULT\|^MEDIAN\|^COUNT' "$OUT/driver.log" | tee "$OUT/summary.txt"
echo "logs: $OUT"
