#!/usr/bin/env bash
# Builds and starts the suite locally with the embedded defaults (log and H2 files under ./data):
# ingest-service, stream-clean-service, analytics-service and the gateway in front of them.
#   ./run.sh          build, start, wait for health, print how to use it; Ctrl-C stops everything
#   ./run.sh --reset  the same, after deleting ./data
set -euo pipefail
cd "$(dirname "$0")"

if [[ "${1:-}" == "--reset" ]]; then
  rm -rf ./data
fi
mkdir -p ./data/logs

./mvnw -B -q -DskipTests install

pids=()
stop() {
  trap '' INT TERM   # a second Ctrl-C must not cut the shutdown short and orphan the services
  echo "stopping..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "stopped"
}
trap stop EXIT
trap 'exit 130' INT TERM

start() { # module port
  local module=$1 port=$2
  local jar
  jar=$(ls "$module"/target/"$module"-*-SNAPSHOT-exec.jar 2>/dev/null || ls "$module"/target/"$module"-*-SNAPSHOT.jar)
  java -jar "$jar" > "./data/logs/$module.log" 2>&1 &
  pids+=($!)
  echo "started $module (pid $!) on port $port, log: ./data/logs/$module.log"
}

wait_healthy() { # name url
  for _ in $(seq 1 120); do
    if curl -fs "$2" > /dev/null 2>&1; then echo "$1 is healthy"; return 0; fi
    sleep 1
  done
  echo "$1 did not become healthy; see ./data/logs" >&2
  exit 1
}

start ingest-service 8081
start stream-clean-service 8082
start analytics-service 8083
start gateway 8080
wait_healthy ingest-service http://localhost:8081/actuator/health/readiness
wait_healthy stream-clean-service http://localhost:8082/actuator/health/readiness
wait_healthy analytics-service http://localhost:8083/actuator/health/readiness
wait_healthy gateway http://localhost:8080/actuator/health/readiness

KEY=${GATEWAY_DEV_API_KEY:-tributary-dev-key}
cat <<MSG

Tributary is running.
  gateway:         http://localhost:8080
  Swagger UI:      http://localhost:8080/swagger-ui.html
  development key: $KEY   (header X-Api-Key; set GATEWAY_DEV_API_KEY to change it)
  logs:            ./data/logs/<service>.log

Try it:
  curl -s -XPOST localhost:8080/api/v1/topics -H "X-Api-Key: $KEY" -H 'Content-Type: application/json' \\
       -d '{"name":"raw.orders","partitions":3}'
  curl -s -XPOST localhost:8080/api/v1/topics/raw.orders/records -H "X-Api-Key: $KEY" -H 'Content-Type: application/json' \\
       -d '{"records":[{"key":"u1","value":{"country":"DE","amount":12.5}}]}'
  curl -s 'localhost:8080/api/v1/topics/raw.orders/partitions/1/records?offset=0' -H "X-Api-Key: $KEY"

Press Ctrl-C to stop.
MSG
wait
