#!/usr/bin/env bash
# The gateway against the floor of its library: the same produce load sent to one ingest-service directly, through
# the real gateway, and through two bare Spring Cloud Gateway applications (bench/bare-gateways: server-webmvc and
# WebFlux, one route each, nothing of ours), alternating in one run. Prints records/s and the CPU milliseconds per
# request of each proxy and of ingest-service (bench/proc-cpu.py).
#
#   bench/run-bare-gateways.sh      # 3 runs of 2M records each, after 10M records of warm-up per path; ~12 minutes
#
# Knobs: RUNS, RECORDS, WARMUP, CLIENTS, SKIP_BUILD=1 (the suite's jars and bench/bare-gateways/*/target exist),
# OUT. The bare applications are not modules of the suite's build: the first run fetches WebFlux and Reactor Netty.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java-env.sh # JAVA_HOME: a JDK 25
ROOT=$(pwd)

RUNS=${RUNS:-3}
RECORDS=${RECORDS:-2000000}
WARMUP=${WARMUP:-10000000}
CLIENTS=${CLIENTS:-4}
KEY=bench-gateway-key
OUT=${OUT:-$ROOT/bench/target/bare-gateways-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  ./mvnw -B -q install -DskipTests -pl bench,gateway -am
  for kind in webmvc webflux; do ./mvnw -B -q -f "bench/bare-gateways/$kind/pom.xml" package -DskipTests; done
fi

DATA=$(mktemp -d /tmp/tributary-bare-XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$DATA"
}
trap cleanup EXIT

declare -A URL PID
start() { # name port java-args...
  local name=$1 port=$2; shift 2
  java -Xms512m -Xmx512m -XX:+UseG1GC "$@" --server.port="$port" --server.address=127.0.0.1 > "$OUT/$name.log" 2>&1 &
  PIDS+=($!)
  PID[$name]=$!
  URL[$name]=http://127.0.0.1:$port
}
start direct 18081 -Xms1g -Xmx1g -jar ingest-service/target/ingest-service-0.1.0-SNAPSHOT-exec.jar \
  --ingest.data-dir="$DATA/ingest" --ingest.kafka.port=0
start gateway 18080 -jar gateway/target/gateway-0.1.0-SNAPSHOT.jar --gateway.ingest-url="${URL[direct]}" \
  --gateway.security.api-keys[0].name=bench --gateway.security.api-keys[0].key="$KEY" \
  --gateway.security.api-keys[0].roles=producer,consumer,admin --gateway.security.rate-limit.limit-for-period=1000000
start webmvc 18090 -jar bench/bare-gateways/webmvc/target/bare-gateway-webmvc-1.jar --up="${URL[direct]}"
start webflux 18091 -jar bench/bare-gateways/webflux/target/bare-gateway-webflux-1.jar --up="${URL[direct]}"
for name in direct gateway; do
  for _ in $(seq 90); do curl -fs "${URL[$name]}/actuator/health" > /dev/null && break; sleep 1; done
done
sleep 10 # the bare applications have no health endpoint; they start faster than the gateway

VARIANTS=(direct gateway webmvc webflux)
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq "$RUNS"); do
  warm=0; [[ $run == 1 ]] && warm=$WARMUP
  for v in "${VARIANTS[@]}"; do
    label=$v-$run
    python3 bench/proc-cpu.py snap "${PID[direct]}" > "$OUT/$label.ingest0"
    python3 bench/proc-cpu.py snap "${PID[$v]}" > "$OUT/$label.proxy0"
    java -Xms1g -Xmx1g -cp bench/target/benchmarks.jar io.tributary.bench.LoadDriver --url "${URL[$v]}" \
      --api-key "$KEY" --topic "bare-$v" --mode produce --record-bytes 100 --batch 1000 --clients "$CLIENTS" \
      --records "$RECORDS" --runs 1 --warmup "$warm" > "$OUT/$label.log" 2> "$OUT/$label.err"
    python3 bench/proc-cpu.py snap "${PID[direct]}" > "$OUT/$label.ingest1"
    python3 bench/proc-cpu.py snap "${PID[$v]}" > "$OUT/$label.proxy1"
    requests=$(( (RECORDS + warm) / 1000 ))
    {
      python3 bench/proc-cpu.py diff "$OUT/$label.ingest0" "$OUT/$label.ingest1" "$requests" ingest
      [[ $v == direct ]] || python3 bench/proc-cpu.py diff "$OUT/$label.proxy0" "$OUT/$label.proxy1" "$requests" proxy
    } > "$OUT/$label.cpu"
    echo "$label $(grep -o 'rps=[0-9]*' "$OUT/$label.log") $(tr '\n' ' ' < "$OUT/$label.cpu")"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "(run 1 includes the warm-up in its records/s and CPU figures; compare runs 2 and later)"
echo "logs: $OUT"
