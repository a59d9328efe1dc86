#!/usr/bin/env bash
# The gateway's overhead: the same produce load sent to the ingest-service directly and through
# the gateway, in one run, alternating, so both see the same machine.
#
#   bench/run-gateway.sh            # W1-style 100 B produce (batches of 1,000), the same one request at a time, and a
#                                   # 20,000 rec/s fixed-rate run, direct vs gateway, 3 runs each; ~8 minutes
#   QUICK=1 bench/run-gateway.sh    # smoke test of the tooling
#
# Besides records/s and latencies, each run prints the CPU milliseconds per request of the gateway, of
# ingest-service and of the load driver (bench/proc-cpu.py: /proc, by thread group, JIT and GC included), a
# figure far steadier than throughput on a shared 2-core machine. The first run warms each path with WARMUP
# records first: a JVM as large as the gateway keeps its JIT compilers busy for tens of thousands of requests.
#
# Knobs: RUNS, RECORDS, WARMUP, SERIAL_RECORDS, RATE_RECORDS, CLIENTS, SKIP_BUILD=1, MVN_FLAGS, OUT, GATEWAY_JAR,
# JFR=1 (a flight recording of the gateway, profile settings: <OUT>/gateway.jfr), GATEWAY_ARGS (more
# arguments for the gateway, e.g. --spring.http.clients.imperative.factory=jdk), SERVICE_JAVA (the java that
# runs ingest-service and the gateway; default: the JDK 25 of scripts/java-env.sh), DRIVER_JAVA (the load driver's).
# The gateway's per-key rate limit is raised for the run (it would otherwise answer 429 at 200 req/s).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java-env.sh # JAVA_HOME: a JDK 25
ROOT=$(pwd)

INGEST_PORT=${INGEST_PORT:-18081}
GATEWAY_PORT=${GATEWAY_PORT:-18080}
RUNS=${RUNS:-3}
RECORDS=${RECORDS:-1000000}
WARMUP=${WARMUP:-3000000}
SERIAL_RECORDS=${SERIAL_RECORDS:-500000}
RATE_RECORDS=${RATE_RECORDS:-400000}
CLIENTS=${CLIENTS:-4}
if [[ "${QUICK:-0}" == 1 ]]; then RUNS=1; RECORDS=50000; WARMUP=20000; SERIAL_RECORDS=20000; RATE_RECORDS=40000; fi
KEY=bench-gateway-key
SERVICE_JAVA=${SERVICE_JAVA:-java}
DRIVER_JAVA=${DRIVER_JAVA:-java}
OUT=${OUT:-$ROOT/bench/target/gateway-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  ./mvnw -B -q ${MVN_FLAGS:-} install -DskipTests -pl bench,gateway -am
fi
INGEST_JAR=$ROOT/ingest-service/target/ingest-service-0.1.0-SNAPSHOT-exec.jar
GATEWAY_JAR=${GATEWAY_JAR:-$ROOT/gateway/target/gateway-0.1.0-SNAPSHOT.jar}
BENCH_JAR=$ROOT/bench/target/benchmarks.jar

DATA=$(mktemp -d /tmp/tributary-gw-XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$DATA"
}
trap cleanup EXIT
echo "services on: $("$SERVICE_JAVA" -version 2>&1 | head -1); driver on: $("$DRIVER_JAVA" -version 2>&1 | head -1)" | tee "$OUT/java.txt"

"$SERVICE_JAVA" -Xms1g -Xmx1g -XX:+UseG1GC -jar "$INGEST_JAR" --server.port="$INGEST_PORT" --server.address=127.0.0.1 \
  --ingest.data-dir="$DATA/ingest" --ingest.kafka.port=0 > "$OUT/ingest.log" 2>&1 &
PIDS+=($!)
INGEST_PID=$!
GATEWAY_JFR=()
if [[ "${JFR:-0}" == 1 ]]; then
  GATEWAY_JFR=(-XX:StartFlightRecording=filename="$OUT/gateway.jfr",settings=profile,dumponexit=true)
fi
"$SERVICE_JAVA" -Xms512m -Xmx512m -XX:+UseG1GC "${GATEWAY_JFR[@]}" -jar "$GATEWAY_JAR" --server.port="$GATEWAY_PORT" --server.address=127.0.0.1 \
  --gateway.ingest-url="http://127.0.0.1:$INGEST_PORT" \
  --gateway.security.api-keys[0].name=bench --gateway.security.api-keys[0].key="$KEY" \
  --gateway.security.api-keys[0].roles=producer,consumer,admin \
  --gateway.security.rate-limit.limit-for-period=1000000 ${GATEWAY_ARGS:-} > "$OUT/gateway.log" 2>&1 &
PIDS+=($!)
GATEWAY_PID=$!
for url in "http://127.0.0.1:$INGEST_PORT/actuator/health" "http://127.0.0.1:$GATEWAY_PORT/actuator/health"; do
  for _ in $(seq 90); do curl -fs "$url" > /dev/null && break; sleep 1; done
done

drive() { # label url extra-args... (the last --records is the measured count, warm-up aside)
  local label=$1 url=$2; shift 2
  local records batch=1000 warm=0 arg prev=
  for arg in "$@"; do
    case $prev in --records) records=$arg ;; --batch) batch=$arg ;; --warmup) warm=$arg ;; esac
    prev=$arg
  done
  local requests=$(( (records + warm) / batch ))
  python3 bench/proc-cpu.py snap "$INGEST_PID" > "$OUT/$label.ingest0"
  python3 bench/proc-cpu.py snap "$GATEWAY_PID" > "$OUT/$label.gateway0"
  local TIMEFORMAT="%U %S"
  { time "$DRIVER_JAVA" -Xms1g -Xmx1g -cp "$BENCH_JAR" io.tributary.bench.LoadDriver --url "$url" --api-key "$KEY" "$@" \
      > "$OUT/$label.log" 2> "$OUT/$label.err"; } 2> "$OUT/$label.time"
  grep -E "^(MEDIAN|RESULT)" "$OUT/$label.log" | sed "s/^/$label /"
  python3 bench/proc-cpu.py snap "$INGEST_PID" > "$OUT/$label.ingest1"
  python3 bench/proc-cpu.py snap "$GATEWAY_PID" > "$OUT/$label.gateway1"
  {
    python3 bench/proc-cpu.py diff "$OUT/$label.ingest0" "$OUT/$label.ingest1" "$requests" ingest
    if [[ $url == "$GATEWAY" ]]; then
      python3 bench/proc-cpu.py diff "$OUT/$label.gateway0" "$OUT/$label.gateway1" "$requests" gateway
    fi
    # the driver's JVM start-up included
    awk -v n="$requests" '{printf "driver cpu_ms_per_request=%.3f\n", 1000 * ($1 + $2) / n}' "$OUT/$label.time"
  } | tee "$OUT/$label.cpu" | sed "s/^/$label CPU /"
}

DIRECT=http://127.0.0.1:$INGEST_PORT
GATEWAY=http://127.0.0.1:$GATEWAY_PORT
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq "$RUNS"); do
  common=(--mode produce --record-bytes 100 --batch 1000 --clients "$CLIENTS" --records "$RECORDS" --runs 1)
  warm=0; [[ $run == 1 ]] && warm=$WARMUP
  drive "produce-direct-$run" "$DIRECT" --topic gw-direct "${common[@]}" --warmup "$warm"
  drive "produce-gateway-$run" "$GATEWAY" --topic gw-gateway "${common[@]}" --warmup "$warm"
  # one request at a time: the latency the gateway adds to each request, without queueing
  serial=(--mode produce --record-bytes 100 --batch 1000 --clients 1 --records "$SERIAL_RECORDS" --runs 1 --warmup 0)
  drive "serial-direct-$run" "$DIRECT" --topic gw-serial-direct "${serial[@]}"
  drive "serial-gateway-$run" "$GATEWAY" --topic gw-serial-gateway "${serial[@]}"
  rate=(--mode fixed-rate --record-bytes 100 --batch 1000 --rate 20000 --records "$RATE_RECORDS" --runs 1 --warmup 0)
  drive "rate-direct-$run" "$DIRECT" --topic gw-rate-direct "${rate[@]}"
  drive "rate-gateway-$run" "$GATEWAY" --topic gw-rate-gateway "${rate[@]}"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
field() { grep -h "^RESULT" "$OUT"/$1-*.log | tr ' ' '\n' | grep "^$2=" | cut -d= -f2; }
cpu() { grep -h "^$2 " "$OUT"/$1-*.cpu | tr ' ' '\n' | grep "^cpu_ms_per_request=" | cut -d= -f2; }
echo
echo "==================== gateway overhead (median of $RUNS runs) ===================="
for kind in produce serial rate; do
  for via in direct gateway; do
    printf '%-8s %-8s records/s %-9s p50 %-7s ms p99 %-7s ms  CPU ms/request: gateway %-6s ingest %-6s driver %s\n' \
      "$kind" "$via" "$(field $kind-$via rps | median)" "$(field $kind-$via p50_ms | median)" \
      "$(field $kind-$via p99_ms | median)" "$( [[ $via == gateway ]] && cpu $kind-$via gateway | median || echo -)" \
      "$(cpu $kind-$via ingest | median)" "$(cpu $kind-$via driver | median)"
  done
done
echo "logs: $OUT"
