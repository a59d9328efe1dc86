#!/usr/bin/env bash
# The Kafka-shape replication transport in one process (ReplicaFetchBench): a leader's partition logs
# served by the replication listener on loopback, two followers fetching them, one writer per
# partition with a window of batches beyond the high watermark (acks=all). RF 1 (the bare log, no
# followers) and RF 3 alternate, RUNS times each; prints records/s and CPU per record by role.
#
#   bench/run-replica-fetch.sh                     # 3 runs each of 3M records, 3 partitions
#   RUNS=5 ARGS="--batch 50 --window 10" bench/run-replica-fetch.sh
#
# SKIP_BUILD=1 skips the Maven build; MVN_FLAGS is passed to it (e.g. -o). Logs go under
# java.io.tmpdir and are deleted.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java-env.sh # JAVA_HOME: a JDK 25
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  ./mvnw -B -q ${MVN_FLAGS:-} install -DskipTests -pl bench -am
fi
echo "machine: $(nproc) cpus, load avg $(cut -d' ' -f1-3 /proc/loadavg); $(java -version 2>&1 | head -1)"
for i in $(seq "${RUNS:-3}"); do
  for rf in 1 3; do
    java -Xms1g -Xmx1g --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar \
      io.tributary.bench.ReplicaFetchBench --rf "$rf" --records "${RECORDS:-3000000}" ${ARGS:-} 2>&1 \
      | grep -v '^SLF4J\|^WARNING\|^$'
  done
done
