#!/usr/bin/env bash
# The endpoint fuzzer, long mode (issue 14 part 4; what it sends and checks: docs/problems.md, "How the contract is
# checked"). Runs deployment's RunScriptScenarioTest, which starts the suite with ./run.sh, lets the demo flow and
# fuzzes every operation of the services' OpenAPI documents directly and through the gateway with CASES cases per
# operation instead of CI's 12; then prints the fuzzer's summary (answers by status per target, findings).
#
#   bench/run-fuzz.sh --cases 200              # a new seed each run; about 3 minutes per 100 cases per operation on 2 cores
#   bench/run-fuzz.sh --cases 200 --seed 42    # replay a run (the seed fixes the requests)
#
# Environment: MVN_FLAGS (e.g. -o). Builds the four services first (tests skipped). Exit status: the test's.
set -euo pipefail

cd "$(dirname "$0")/.."
source scripts/java-env.sh # JAVA_HOME: a JDK 25

CASES=200
SEED=$RANDOM$RANDOM
usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cases) CASES=${2:?--cases needs a number}; shift 2 ;;
    --seed) SEED=${2:?--seed needs a number}; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "unknown argument: $1" >&2; usage 2 ;;
  esac
done

./mvnw -B -q ${MVN_FLAGS:-} -DskipTests install -pl ingest-service,stream-clean-service,analytics-service,gateway -am
status=0
./mvnw -B -q ${MVN_FLAGS:-} -pl deployment test -Dtest=RunScriptScenarioTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfuzz.cases="$CASES" -Dfuzz.seed="$SEED" || status=$?
# The summary the test printed (it is in the test's output whether it passed or not).
sed -n '/^fuzz seed /,/^$/p' deployment/target/surefire-reports/io.tributary.deployment.RunScriptScenarioTest-output.txt
exit "$status"
