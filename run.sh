#!/usr/bin/env bash
# Builds and starts the suite locally with the embedded defaults (log and H2 files under ./data):
# ingest-service, stream-clean-service, analytics-service and the gateway in front of them, then
# sets up the demo (topic raw.orders, the cleaning pipeline orders-clean, the analytics job
# revenue-by-country; see demo/) and starts a small generator of order events.
#   ./run.sh             build, start, wait for health, run the demo; Ctrl-C stops everything
#   ./run.sh --reset     the same, after deleting ./data (otherwise a run resumes with the data kept)
#   ./run.sh --no-build  use the jars already built under */target
# TRIBUTARY_WORKDIR (default: this folder) is where ./data lives; GATEWAY_DEV_API_KEY changes the dev key;
# TRIBUTARY_JAVA_OPTS adds JVM flags to every service (e.g. -Xmx256m).
set -euo pipefail
cd "$(dirname "$0")"
repo=$(pwd)
source scripts/java-env.sh # JAVA_HOME: a JDK 25 (says what to install when there is none)

reset=false build=true
for arg in "$@"; do
  case $arg in
    --reset) reset=true ;;
    --no-build) build=false ;;
    *) echo "usage: $0 [--reset] [--no-build]" >&2; exit 2 ;;
  esac
done

workdir=${TRIBUTARY_WORKDIR:-$repo}
mkdir -p "$workdir"
workdir=$(cd "$workdir" && pwd)
data=$workdir/data
if $reset; then
  rm -rf "$data"
  echo "reset: deleted $data"
fi
mkdir -p "$data/logs"
KEY=${GATEWAY_DEV_API_KEY:-tributary-dev-key}
GATEWAY=http://localhost:8080

services=(ingest-service stream-clean-service analytics-service gateway)
if $build; then
  echo "building ${services[*]} (./mvnw package, tests skipped)..."
  ./mvnw -B -q -DskipTests package -pl "$(IFS=,; echo "${services[*]}")" -am
fi

pids=()
stop() {
  trap '' INT TERM   # a second Ctrl-C must not cut the shutdown short and orphan the services
  echo "stopping..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  # Graceful shutdown takes a few seconds; whatever still runs after 40 s is killed.
  for _ in $(seq 1 40); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    (( alive )) || break
    sleep 1
  done
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "stopped"
}
trap stop EXIT
trap 'exit 130' INT TERM

jar_of() { # module
  ls "$1"/target/"$1"-*-SNAPSHOT-exec.jar 2>/dev/null || ls "$1"/target/"$1"-*-SNAPSHOT.jar 2>/dev/null || {
    echo "no jar for $1 under $1/target: run without --no-build" >&2; exit 1; }
}

start() { # module port
  local module=$1 port=$2 jar
  jar=$(jar_of "$module")
  # The working folder decides where the services' default ./data/<service> folders are.
  # TRIBUTARY_JAVA_OPTS (e.g. -Xmx256m) goes to each service's JVM; unquoted on purpose: it may hold several flags.
  # shellcheck disable=SC2086
  (cd "$workdir" && exec java ${TRIBUTARY_JAVA_OPTS:-} -jar "$repo/$jar") > "$data/logs/$module.log" 2>&1 &
  pids+=($!)
  echo "started $module (pid $!) on port $port, log: $data/logs/$module.log"
}

wait_healthy() { # module url pid
  for _ in $(seq 1 180); do
    if curl -fs "$2" > /dev/null 2>&1; then echo "$1 is healthy"; return 0; fi
    kill -0 "$3" 2>/dev/null || { echo "$1 exited during start-up; see $data/logs/$1.log" >&2; exit 1; }
    sleep 1
  done
  echo "$1 did not become healthy within 180 s; see $data/logs/$1.log" >&2
  exit 1
}

start ingest-service 8081
start stream-clean-service 8082
start analytics-service 8083
start gateway 8080
wait_healthy ingest-service http://localhost:8081/actuator/health/readiness "${pids[0]}"
wait_healthy stream-clean-service http://localhost:8082/actuator/health/readiness "${pids[1]}"
wait_healthy analytics-service http://localhost:8083/actuator/health/readiness "${pids[2]}"
wait_healthy gateway $GATEWAY/actuator/health/readiness "${pids[3]}"

demo/setup.sh "$GATEWAY" "$KEY"
java demo/OrderGenerator.java --url "$GATEWAY" --key "$KEY" --rate 5 > "$data/logs/order-generator.log" 2>&1 &
pids=($! "${pids[@]}")   # the generator stops first
echo "started order-generator (pid $!), 5 orders/s into raw.orders, log: $data/logs/order-generator.log"

cat <<MSG

Tributary is running, with the demo flowing: raw.orders -> orders-clean -> clean.orders (+ dlq.orders)
-> revenue-by-country.
  gateway:         $GATEWAY
  web console:     $GATEWAY/console/   (sign in with the key below)
  Swagger UI:      $GATEWAY/swagger-ui.html
  development key: $KEY   (header X-Api-Key; set GATEWAY_DEV_API_KEY to change it)
  logs:            $data/logs/<service>.log

See data moving (give it a few seconds):
  # cleaned orders: e-mail hashed, ts as ISO-8601
  curl -s '$GATEWAY/api/v1/topics/clean.orders/partitions/0/records?offset=0&maxRecords=3' -H 'X-Api-Key: $KEY'
  # malformed orders in the dead-letter topic, with the step and reason in their headers
  curl -s '$GATEWAY/api/v1/topics/dlq.orders/partitions/0/records?offset=0&maxRecords=3' -H 'X-Api-Key: $KEY'
  # revenue by country per minute
  curl -s '$GATEWAY/api/v1/jobs/revenue-by-country/results?size=20' -H 'X-Api-Key: $KEY'

Press Ctrl-C to stop.
MSG

# Runs until Ctrl-C, or until one of the processes ends by itself.
set +e
wait -n
echo "a process exited by itself; see $data/logs" >&2
exit 1
