#!/usr/bin/env bash
# The whole suite under faults, long schedule (issue 14 part 2): runs system-tests' SuiteChaosTest (3 ingest nodes,
# 2 stream-clean and 2 analytics instances on one throwaway PostgreSQL, the gateway, each from its jar on 127.0.0.1;
# an orders stream through the gateway; a nemesis SIGKILLing and restarting every kind of process in turn; an oracle
# over the topics and the job's results at the end) and prints its summary.
#
#   bench/run-chaos.sh --rounds 20               # about 25 s a round on the loaded 2-core machine, plus ~2 min
#   bench/run-chaos.sh --minutes 30              # keep faulting for 30 minutes (at least --rounds rounds)
#   bench/run-chaos.sh --rounds 8 --seed 42      # replay a schedule (the seed fixes the choices, not the timing)
#   bench/run-chaos.sh --rounds 8 --rate 1000    # orders a second through the gateway (default 100)
#
# Environment: MVN_FLAGS (e.g. -o). Builds the four services' jars first (tests skipped). Each process' log and
# the summary: system-tests/target/suite-chaos/seed-<seed>/. Exit status: the test's (0 when every check passed).
set -euo pipefail

cd "$(dirname "$0")/.."
source scripts/java-env.sh # JAVA_HOME: a JDK 25
ROOT=$(pwd)

ROUNDS=8
MINUTES=
SEED=
RATE=
usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS=${2:?--rounds needs a number}; shift 2 ;;
    --minutes) MINUTES=${2:?--minutes needs a number}; shift 2 ;;
    --seed) SEED=${2:?--seed needs a number}; shift 2 ;;
    --rate) RATE=${2:?--rate needs a number}; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "unknown argument: $1" >&2; usage 2 ;;
  esac
done
[[ "$ROUNDS" =~ ^[0-9]+$ ]] || { echo "--rounds: not a number: $ROUNDS" >&2; exit 2; }
[[ -z "$MINUTES" || "$MINUTES" =~ ^[0-9]+$ ]] || { echo "--minutes: not a number: $MINUTES" >&2; exit 2; }
[[ -z "$SEED" || "$SEED" =~ ^-?[0-9]+$ ]] || { echo "--seed: not a number: $SEED" >&2; exit 2; }
[[ -z "$RATE" || "$RATE" =~ ^[1-9][0-9]*$ ]] || { echo "--rate: not a number: $RATE" >&2; exit 2; }

bash scripts/pg-throwaway.sh install
trap 'bash scripts/pg-throwaway.sh stop-all' EXIT

OUT=$ROOT/system-tests/target/suite-chaos
mkdir -p "$OUT"
rm -f "$OUT/last-summary.txt"
PROPS=(-Dchaos.rounds="$ROUNDS")
[[ -n "$MINUTES" ]] && PROPS+=(-Dchaos.minutes="$MINUTES")
[[ -n "$SEED" ]] && PROPS+=(-Dchaos.seed="$SEED")
[[ -n "$RATE" ]] && PROPS+=(-Dchaos.rate="$RATE")

echo "[run-chaos $(date +%H:%M:%S)] building the jars"
# shellcheck disable=SC2086
./mvnw -B -q ${MVN_FLAGS:-} -pl ingest-service,stream-clean-service,analytics-service,gateway -am package \
  -DskipTests > "$OUT/build.log" 2>&1 || { echo "build failed; see $OUT/build.log" >&2; exit 1; }
echo "[run-chaos $(date +%H:%M:%S)] $ROUNDS rounds${MINUTES:+, at least $MINUTES min}${SEED:+, seed $SEED}; load avg $(cut -d' ' -f1-3 /proc/loadavg)"
T0=$(date +%s)
status=0
# shellcheck disable=SC2086
./mvnw -B -q ${MVN_FLAGS:-} -pl system-tests test -Dtest=SuiteChaosTest "${PROPS[@]}" > "$OUT/maven.log" 2>&1 \
  || status=$?

echo
echo "==================== suite chaos ($(( $(date +%s) - T0 )) s, load avg at the end $(cut -d' ' -f1-3 /proc/loadavg)) ===================="
if [[ -f "$OUT/last-summary.txt" ]]; then cat "$OUT/last-summary.txt"; fi
if [[ $status -ne 0 ]]; then
  echo "suite chaos: FAILED (exit $status)"
  REPORT=$ROOT/system-tests/target/surefire-reports/io.tributary.system.SuiteChaosTest.txt
  if [[ -f "$REPORT" ]]; then grep -m 8 -E 'AssertionError|Expect|Exception|not within' "$REPORT" || true; fi
  echo "maven log: $OUT/maven.log"
fi
echo "process logs: $OUT/seed-<seed>/"
exit "$status"
