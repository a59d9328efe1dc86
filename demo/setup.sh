#!/usr/bin/env bash
# Creates the demo through the gateway, and leaves what already exists alone (safe to run again):
# the topics raw.orders, clean.orders and dlq.orders (3 partitions each), the cleaning pipeline
# orders-clean and the analytics job revenue-by-country, which it starts unless it is running.
#   demo/setup.sh [GATEWAY_URL] [API_KEY]     defaults: http://localhost:8080, tributary-dev-key
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
url=${1:-http://localhost:8080}
key=${2:-tributary-dev-key}

body=$(mktemp)
trap 'rm -f "$body"' EXIT

# call METHOD PATH [BODY_FILE_OR_JSON] -> prints the HTTP status; the answer's body goes to the file $body.
# A 503 (retriable: a service still starting, or the gateway's circuit breaker for it still open after calls
# that failed while it started) or no answer at all is tried again, every 2 s for up to a minute.
call() {
  local data=() status deadline=$((SECONDS + 60))
  if [[ -n ${3:-} ]]; then
    if [[ -f $3 ]]; then data=(--data-binary "@$3"); else data=(--data-binary "$3"); fi
  fi
  while :; do
    status=$(curl -s -o "$body" -w '%{http_code}' -X "$1" "$url$2" -H "X-Api-Key: $key" \
             -H 'Content-Type: application/json' "${data[@]}") || true
    if [[ $status != 503 && $status != 000 ]] || (( SECONDS >= deadline )); then
      echo "$status"
      return
    fi
    sleep 2
  done
}

create() { # what PATH BODY
  local status
  status=$(call POST "$2" "$3")
  case $status in
    201) echo "created $1" ;;
    409) echo "$1 already exists" ;;
    *) echo "demo setup: creating $1 failed with HTTP $status: $(cat "$body")" >&2; exit 1 ;;
  esac
}

for topic in raw.orders clean.orders dlq.orders; do
  create "topic $topic" /api/v1/topics "{\"name\":\"$topic\",\"partitions\":3}"
done
create "pipeline orders-clean" /api/v1/pipelines "$here/orders-clean.pipeline.json"
create "job revenue-by-country" /api/v1/jobs "$here/revenue-by-country.job.json"

status=$(call GET /api/v1/jobs/revenue-by-country)
if [[ $status != 200 ]] || ! grep -q '"status":"RUNNING"' "$body"; then
  status=$(call POST /api/v1/jobs/revenue-by-country/start)
  [[ $status == 200 ]] || { echo "demo setup: starting the job failed with HTTP $status: $(cat "$body")" >&2; exit 1; }
  echo "started job revenue-by-country"
else
  echo "job revenue-by-country is running"
fi
