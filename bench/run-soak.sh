#!/usr/bin/env bash
# Soak (issue 14 part 3; not run by CI): the demo's shape — raw orders through the gateway, the cleaning pipeline,
# the revenue job — at a steady rate for MINUTES, started with ./run.sh; every INTERVAL seconds each service's RSS,
# heap (used, and live data after the last GC), threads, open file descriptors, data folder size and ERROR log lines
# go to a CSV. At the end: the slope of each per hour (flat = no leak), the PNG of all of them, and the verdict on
# errors (must be 0) and RSS (target <= 512 MiB per service).
#
#   bench/run-soak.sh --minutes 30 --rate 10000     # rate: orders per second (half of what the suite sustains)
#   bench/run-soak.sh --minutes 3 --interval 10     # a smoke run
#   --heap 256m (the default): each service's -Xmx. Without one a JVM takes a quarter of the machine's memory and
#   grows into it lazily, which says nothing about a leak; the containers cap it (docker-compose.yml: mem_limit,
#   MaxRAMPercentage 70, i.e. 268-537 MiB of heap).
#
# Output: bench/target/soak/{samples.csv,flow.csv,soak.png,summary.txt}, the services' logs under bench/target/soak/data/logs.
# Uses ports 8080-8083 (nothing else may hold them). Needs the services' jars (./mvnw -DskipTests package) and
# installs python3-matplotlib when it is missing. Exit status: 0 when there were no errors and every RSS stayed
# within the target.
set -euo pipefail

cd "$(dirname "$0")/.."
source scripts/java-env.sh # JAVA_HOME: a JDK 25
ROOT=$(pwd)

MINUTES=30
RATE=2000
INTERVAL=60
HEAP=256m
usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --minutes) MINUTES=${2:?--minutes needs a number}; shift 2 ;;
    --rate) RATE=${2:?--rate needs a number}; shift 2 ;;
    --interval) INTERVAL=${2:?--interval needs a number}; shift 2 ;;
    --heap) HEAP=${2:?--heap needs a size}; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "unknown argument: $1" >&2; usage 2 ;;
  esac
done

# Debian's python, whose packages apt installs (another python3 may come first on the PATH)
PY=/usr/bin/python3
if ! $PY -c 'import matplotlib' 2>/dev/null; then
  echo "installing python3-matplotlib (the plot)..."
  ${SUDO:-$( (( EUID == 0 )) || echo sudo)} apt-get install -y -q python3-matplotlib > /dev/null 2>&1 \
    || { echo "could not install python3-matplotlib" >&2; exit 1; }
fi

out=$ROOT/bench/target/soak
rm -rf "$out"
mkdir -p "$out"
KEY=tributary-dev-key
run_pid=
generator_pid=
cleanup() {
  [[ -n $generator_pid ]] && kill "$generator_pid" 2>/dev/null || true
  if [[ -n $run_pid ]] && kill -0 "$run_pid" 2>/dev/null; then
    # SIGTERM, not SIGINT: a background job of a script starts with SIGINT ignored; run.sh handles both alike
    kill -TERM "$run_pid" 2>/dev/null || true
    wait "$run_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT

echo "starting the suite (run.sh --no-build --reset, data under $out/data)..."
TRIBUTARY_WORKDIR=$out TRIBUTARY_JAVA_OPTS="-Xmx$HEAP" bash run.sh --no-build --reset > "$out/run.out" 2>&1 &
run_pid=$!
for _ in $(seq 1 360); do
  grep -q "Press Ctrl-C to stop." "$out/run.out" && break
  kill -0 "$run_pid" 2>/dev/null || { cat "$out/run.out" >&2; echo "run.sh exited" >&2; exit 1; }
  sleep 1
done
grep -q "Press Ctrl-C to stop." "$out/run.out" || { echo "the suite did not start in 6 minutes" >&2; exit 1; }

declare -A pid_of
while read -r name pid; do pid_of[$name]=$pid; done < <(sed -n 's/^started \([a-z-]*\) (pid \([0-9]*\)).*/\1 \2/p' "$out/run.out")
declare -A port_of=([ingest-service]=8081 [stream-clean-service]=8082 [analytics-service]=8083 [gateway]=8080)
services=(ingest-service stream-clean-service analytics-service gateway)

echo "orders at $RATE/s for $MINUTES min, a sample every $INTERVAL s..."
java demo/OrderGenerator.java --url http://localhost:8080 --key "$KEY" --rate "$RATE" --seed 11 \
  > "$out/generator.log" 2>&1 &
generator_pid=$!

metric() { # port name [tag] -> the value in MiB, or empty
  curl -fs --max-time 5 -H "X-Api-Key: $KEY" "http://localhost:$1/actuator/metrics/$2${3:+?tag=$3}" \
    | $PY -c 'import json,sys; print("%.1f" % (json.load(sys.stdin)["measurements"][0]["value"] / 1048576))' \
    2>/dev/null || true
}

records_in() { # topic -> the sum of its partitions' high watermarks
  curl -fs --max-time 5 -H "X-Api-Key: $KEY" "http://localhost:8081/api/v1/topics/$1" \
    | $PY -c 'import json,sys; print(sum(p["highWatermark"] for p in json.load(sys.stdin)["partitionDetails"]))' \
    2>/dev/null || echo 0
}

echo "seconds,service,rss_mib,heap_used_mib,heap_live_mib,heap_old_mib,threads,fds,disk_mib,errors" > "$out/samples.csv"
# Whether the suite keeps up: raw orders in, cleaned + dead-lettered out (the pipeline's lag is the difference).
echo "seconds,raw,clean,dead_letters,lag" > "$out/flow.csv"
start=$(date +%s)
end=$(( start + MINUTES * 60 ))
while :; do
  now=$(date +%s)
  for s in "${services[@]}"; do
    pid=${pid_of[$s]}
    kill -0 "$pid" 2>/dev/null || { echo "$s (pid $pid) has exited" >&2; exit 1; }
    rss=$(awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status")
    threads=$(awk '/^Threads:/ {print $2}' "/proc/$pid/status")
    fds=$(ls "/proc/$pid/fd" | wc -l)
    folder=$out/data/${s%-service} # data/ingest, data/stream-clean, data/analytics (the gateway keeps none)
    disk=$( { du -sk "$folder" 2>/dev/null || echo 0; } | awk '{printf "%.1f", $1 / 1024}')
    errors=$(grep -c ' ERROR ' "$out/data/logs/$s.log" || true)
    echo "$(( now - start )),$s,$rss,$(metric "${port_of[$s]}" jvm.memory.used area:heap),$(metric "${port_of[$s]}" jvm.gc.live.data.size),$(metric "${port_of[$s]}" jvm.memory.used id:G1%20Old%20Gen),$threads,$fds,${disk:-0},$errors" >> "$out/samples.csv"
  done
  # outputs read before the input: the lag shown is never less than the true one
  dlq=$(records_in dlq.orders) clean=$(records_in clean.orders) raw=$(records_in raw.orders)
  echo "$(( now - start )),$raw,$clean,$dlq,$(( raw - clean - dlq ))" >> "$out/flow.csv"
  tail -n ${#services[@]} "$out/samples.csv" | sed 's/^/  /'
  echo "  flow: raw $raw, clean $clean, dead letters $dlq, lag $(( raw - clean - dlq ))"
  (( now >= end )) && break
  sleep $(( INTERVAL - ($(date +%s) - now) > 0 ? INTERVAL - ($(date +%s) - now) : 1 ))
done

kill "$generator_pid" 2>/dev/null || true
generator_pid=
sent=$(grep -c '^sent ' "$out/generator.log" || true)
failed=$(grep -vc '^sent ' "$out/generator.log" || true)
echo "generator: $sent requests sent, $failed other lines (failures)"
status=0
$PY bench/soak-report.py "$out/samples.csv" "$out/soak.png" "$failed" | tee "$out/summary.txt" || status=$?
echo "CSV: $out/samples.csv  plot: $out/soak.png  summary: $out/summary.txt"
exit "$status"
