#!/usr/bin/env bash
# Randomized fault test, long schedule (issue 11): runs ingest-service's ReplicationNemesisTest
# (three node JVMs on 127.0.0.1, writers with acks=all and idempotent producer ids through random
# nodes, a consumer group, and a nemesis that SIGKILLs, SIGSTOPs/SIGCONTs or SIGTERMs a random node
# each round; see docs/replication.md "Tests and measured failover") with N rounds, then prints its
# summary: seed, rounds, faults per kind, acknowledged records, checks passed.
#
#   bench/run-nemesis.sh --rounds 30               # about 30 s per round on the loaded 2-core machine
#   bench/run-nemesis.sh --rounds 30 --seed 42     # replay a schedule (the seed fixes the choices, not the timing)
#   bench/run-nemesis.sh --rounds 10 --writers 3
#   bench/run-nemesis.sh --rounds 10 --raft-entries  # a Raft entry per batch instead of the default Kafka-shape path
#                                                    # (leader appends, followers fetch); --fetch-writes names the default
#
# Environment: MVN_FLAGS (e.g. -o), ALSO_MAKE=0 to build only ingest-service (sibling modules
# then come from ~/.m2). Child logs and summaries: ingest-service/target/replication-nemesis/.
# Exit status: the test's (0 when every check passed).
set -euo pipefail

cd "$(dirname "$0")/.."
source scripts/java-env.sh # JAVA_HOME: a JDK 25
ROOT=$(pwd)

ROUNDS=30
SEED=
WRITERS=
FETCH_WRITES=true
usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS=${2:?--rounds needs a number}; shift 2 ;;
    --seed) SEED=${2:?--seed needs a number}; shift 2 ;;
    --writers) WRITERS=${2:?--writers needs a number}; shift 2 ;;
    --fetch-writes) FETCH_WRITES=true; shift ;;
    --raft-entries) FETCH_WRITES=false; shift ;;
    -h|--help) usage 0 ;;
    *) echo "unknown argument: $1" >&2; usage 2 ;;
  esac
done
[[ "$ROUNDS" =~ ^[0-9]+$ ]] || { echo "--rounds: not a number: $ROUNDS" >&2; exit 2; }
[[ -z "$SEED" || "$SEED" =~ ^-?[0-9]+$ ]] || { echo "--seed: not a number: $SEED" >&2; exit 2; }
[[ -z "$WRITERS" || "$WRITERS" =~ ^[1-9][0-9]*$ ]] || { echo "--writers: not a number: $WRITERS" >&2; exit 2; }

OUT=$ROOT/ingest-service/target/replication-nemesis
REPORTS=$ROOT/ingest-service/target/surefire-reports
mkdir -p "$OUT"
OUTPUT=$REPORTS/io.tributary.ingest.replication.ReplicationNemesisTest-output.txt
rm -f "$OUT/last-summary.txt" "$OUTPUT"

PROPS=(-Dnemesis.rounds="$ROUNDS" -Dnemesis.fetchWrites="$FETCH_WRITES")
[[ -n "$SEED" ]] && PROPS+=(-Dnemesis.seed="$SEED")
[[ -n "$WRITERS" ]] && PROPS+=(-Dnemesis.writers="$WRITERS")
AM=(-am)
[[ "${ALSO_MAKE:-1}" == 0 ]] && AM=()

echo "[run-nemesis $(date +%H:%M:%S)] $ROUNDS rounds${SEED:+, seed $SEED}, fetch-writes $FETCH_WRITES; load avg $(cut -d' ' -f1-3 /proc/loadavg)"
T0=$(date +%s)
status=0
# shellcheck disable=SC2086
./mvnw -B -q ${MVN_FLAGS:-} -pl ingest-service "${AM[@]}" test -Dtest=ReplicationNemesisTest \
  -Dsurefire.failIfNoSpecifiedTests=false "${PROPS[@]}" > "$OUT/maven.log" 2>&1 || status=$?

echo
echo "==================== nemesis ($(( $(date +%s) - T0 )) s, load avg at the end $(cut -d' ' -f1-3 /proc/loadavg)) ===================="
if [[ -f "$OUTPUT" ]]; then grep '^\[nemesis\]' "$OUTPUT" || true; fi
if [[ $status -eq 0 && -f "$OUT/last-summary.txt" ]]; then
  cat "$OUT/last-summary.txt"
else
  if [[ -f "$OUT/last-summary.txt" ]]; then cat "$OUT/last-summary.txt"; else echo "nemesis: FAILED (exit $status)"; fi
  REPORT=$REPORTS/io.tributary.ingest.replication.ReplicationNemesisTest.txt
  if [[ -f "$REPORT" ]]; then grep -m 5 -E 'nemesis seed=|Error|Exception' "$REPORT" || true; fi
  echo "maven log: $OUT/maven.log; test output: $OUTPUT"
  [[ $status -ne 0 ]] || status=1
fi
echo "child logs: $OUT"
exit "$status"
