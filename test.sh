#!/usr/bin/env bash
# Runs every test of the suite, as CI does. The gateway's browser test drives Debian's
# chromium and chromium-driver, the deployment checks run Debian's docker-compose (and kubectl,
# which must be on the machine), and the PostgreSQL variants of stream-clean's and analytics' tests
# run Debian's postgresql (a throwaway cluster per test JVM under <module>/target/postgres), so they
# are installed first when missing (needs root or sudo). Those clusters are stopped however this ends.
#
# In lanes after one build, so that the long test runs share the machine: (1) build and install every
# module without tests; then side by side (2a) ingest-service's tests (mostly waiting on Raft round trips and
# restarts: about one core busy), then the deployment checks, (2b) the tests of the libraries, stream-clean,
# analytics and the gateway, then the system tests, and (2c) Spark's tests (Spark over the Kafka listener, and
# analytics jobs on the Spark engine: mostly waiting on triggers and Spark's start-up). Every line is prefixed
# with its lane. The lanes run Maven's test phase, not verify: the whole-suite checks start the services from
# the jars of step 1, and packaging again would rewrite a jar while another lane runs it.
# Arguments go to every Maven run (e.g. -DskipSpark, which also leaves lane 2c out).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/java-env.sh # JAVA_HOME: a JDK 25; the Spark tests' JDK 17 or 21
bash gateway/install-chromium.sh
bash deploy/install-tools.sh
bash scripts/pg-throwaway.sh install

LANES=()
kill_tree() {
    local child
    for child in $(pgrep -P "$1" || true); do
        kill_tree "$child"
    done
    kill "$1" 2>/dev/null || true
}
stop_all() {
    for pid in "${LANES[@]}"; do
        kill_tree "$pid"
    done
    bash scripts/pg-throwaway.sh stop-all
}
trap stop_all EXIT

./mvnw -B install -DskipTests "$@"

# One Maven run of a lane, every line prefixed with [lane]; its exit status is the run's.
run() {
    local lane=$1
    shift
    ./mvnw -B "$@" 2>&1 | sed -u "s/^/[$lane] /"
    return "${PIPESTATUS[0]}"
}
SERVICES=problems,expressions,ingest-client,service-support,stream-clean-service,analytics-service,gateway
SPARK=
[[ " $* " == *" -DskipSpark "* ]] || SPARK=spark-kafka-tests,analytics-spark
{
    run ingest -pl ingest-service test "$@" &&
        run ingest -pl deployment test "$@"
} &
LANES+=($!)
{
    run services -pl "$SERVICES" test "$@" &&
        # the rest: testkit, bench and system-tests
        run services -pl "!ingest-service,!deployment,!${SERVICES//,/,!}${SPARK:+,!${SPARK//,/,!}}" test "$@"
} &
LANES+=($!)
if [[ -n $SPARK ]]; then
    run spark -pl "$SPARK" test "$@" &
    LANES+=($!)
fi
failed=0
wait "${LANES[0]}" || { echo "test.sh: ingest-service's tests or the deployment checks failed (lines marked [ingest])"; failed=1; }
wait "${LANES[1]}" || { echo "test.sh: the tests of the libraries, a service or the system tests failed (lines marked [services])"; failed=1; }
if [[ -n $SPARK ]]; then
    wait "${LANES[2]}" || { echo "test.sh: Spark's tests failed (lines marked [spark])"; failed=1; }
fi
LANES=()
exit "$failed"
