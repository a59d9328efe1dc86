#!/usr/bin/env bash
# Apache Kafka's three-node run (../shared/bench/kafka-anchor/cluster3.sh bench: RF 3 then RF 1, 3 partitions, 100 B,
# acks=all, ProducerPerformance) with bench/cpu-per-run.py beside it, so that its brokers' and its client's CPU per
# record compare with the lines bench/run-replication.sh prints for this project's nodes (CLIENT=kafka).
#
#   RUNS=4 RF3_N=4000000 bench/kafka-anchor-cpu.sh     # the anchor's knobs pass through; output in OUT
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
ANCHOR=${ANCHOR:-$ROOT/../shared/bench/kafka-anchor}
OUT=${OUT:-$ROOT/bench/target/kafka-anchor-cpu-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"

python3 bench/cpu-per-run.py sample > "$OUT/cpu.log" &
SAMPLER=$!
trap 'kill $SAMPLER 2>/dev/null || true' EXIT

"$ANCHOR/cluster3.sh" bench 2>&1 | tee "$OUT/anchor.log"
kill "$SAMPLER" 2>/dev/null || true
wait "$SAMPLER" 2>/dev/null || true

# The client JVMs in start order: the RF 3 warm-up, the RF 3 runs, the RF 1 warm-up, the RF 1 runs (the failover
# producer after them has no rate); the warm-ups' rates are not printed by the anchor (0: unknown).
rate() { sed -nE "s/^RF$1 run [0-9]+: [0-9]+ records sent, ([0-9.]+) records\/sec.*/\1/p" "$OUT/anchor.log"; }
# shellcheck disable=SC2046
python3 bench/cpu-per-run.py report "$OUT/cpu.log" 0 $(rate 3) 0 $(rate 1) | tee "$OUT/cpu-report.txt"
