#!/usr/bin/env bash
# Runs every test of the suite, as CI does. The gateway's browser test drives Debian's
# chromium and chromium-driver, the deployment checks run Debian's docker-compose (and kubectl,
# which must be on the machine), and the PostgreSQL variants of stream-clean's and analytics' tests
# run Debian's postgresql (a throwaway cluster per test JVM under <module>/target/postgres), so they
# are installed first when missing (needs root or sudo). Those clusters are stopped however this ends.
#
# In three steps, so that the two longest test runs share the machine: (1) build and install every
# module without tests; (2) side by side, ingest-service's tests (mostly waiting on Raft round trips
# and restarts: about one core busy) and those of the libraries, stream-clean, analytics and the
# gateway (which need ingest-service's jar, not its tests), each line prefixed with its side;
# (3) the checks of the whole suite (deployment, system-tests, Spark), which start every service.
# Arguments go to every Maven run (e.g. -DskipSpark).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/java-env.sh # JAVA_HOME: a JDK 25; the Spark tests' JDK 17 or 21
bash gateway/install-chromium.sh
bash deploy/install-tools.sh
bash scripts/pg-throwaway.sh install

SIDES=()
kill_tree() {
    local child
    for child in $(pgrep -P "$1" || true); do
        kill_tree "$child"
    done
    kill "$1" 2>/dev/null || true
}
stop_all() {
    for pid in "${SIDES[@]}"; do
        kill_tree "$pid"
    done
    bash scripts/pg-throwaway.sh stop-all
}
trap stop_all EXIT

INGEST=ingest-service
SERVICES=problems,expressions,ingest-client,service-support,stream-clean-service,analytics-service,gateway

./mvnw -B install -DskipTests "$@"

# One side's Maven run, every line prefixed with [name]; its exit status is the run's.
side() {
    local name=$1
    shift
    ./mvnw -B "$@" 2>&1 | sed -u "s/^/[$name] /"
    return "${PIPESTATUS[0]}"
}
side ingest -pl "$INGEST" verify "$@" &
SIDES+=($!)
side services -pl "$SERVICES" verify "$@" &
SIDES+=($!)
failed=0
wait "${SIDES[0]}" || { echo "test.sh: ingest-service's tests failed (lines marked [ingest])"; failed=1; }
wait "${SIDES[1]}" || { echo "test.sh: the libraries', stream-clean's, analytics' or the gateway's tests failed (lines marked [services])"; failed=1; }
SIDES=()
[ "$failed" -eq 0 ] || exit 1

./mvnw -B -pl "!$INGEST,!${SERVICES//,/,!}" verify "$@"
