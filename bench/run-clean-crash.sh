#!/usr/bin/env bash
# stream-clean's exactly-once crash test, long schedule: runs stream-clean-service's ExactlyOnceCrashTest (a real
# ingest in the test JVM, the cleaning service in its own JVM SIGKILLed at random moments while raw records flow,
# on H2 and on a throwaway PostgreSQL; then the clean and dead-letter topics are compared with the records sent:
# each expected record exactly once, the repeats dropped). CI runs it with 3 kills in 30,000 records per store.
#
#   bench/run-clean-crash.sh                         # 10 kills in 200,000 records per store
#   bench/run-clean-crash.sh --kills 20 --records 500000
#
# Environment: MVN_FLAGS (e.g. -o). Exit status: the test's. Reports: stream-clean-service/target/surefire-reports/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java-env.sh # JAVA_HOME: a JDK 25
KILLS=10
RECORDS=200000
usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --kills) KILLS=${2:?--kills needs a number}; shift 2 ;;
    --records) RECORDS=${2:?--records needs a number}; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "unknown argument: $1" >&2; usage 2 ;;
  esac
done
[[ "$KILLS" =~ ^[1-9][0-9]*$ ]] || { echo "--kills: not a positive number: $KILLS" >&2; exit 2; }
[[ "$RECORDS" =~ ^[1-9][0-9]*$ ]] || { echo "--records: not a positive number: $RECORDS" >&2; exit 2; }
bash scripts/pg-throwaway.sh install
# shellcheck disable=SC2086
./mvnw -B -q ${MVN_FLAGS:-} install -DskipTests -pl stream-clean-service -am
# shellcheck disable=SC2086
./mvnw -B ${MVN_FLAGS:-} -pl stream-clean-service test -Dtest=ExactlyOnceCrashTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dclean.crash.kills="$KILLS" -Dclean.crash.records="$RECORDS"
