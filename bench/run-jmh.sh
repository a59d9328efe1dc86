#!/usr/bin/env bash
# Runs the JMH benchmarks of the partition log (LogAppendBenchmark, LogReadBenchmark).
#
#   bench/run-jmh.sh                          # defaults from the annotations: fork 1, warm-up 2x2 s,
#                                             # measurement 3x3 s; about 5 minutes in all
#   bench/run-jmh.sh -f 3 -wi 5 -w 5s -i 5 -r 10s   # the longer run for final figures (~30 min)
#   bench/run-jmh.sh LogAppend -p recordBytes=100   # a subset; any JMH option works (-h lists them)
#   bench/run-jmh.sh LogAppend -prof jfr            # with a flight recording per fork
#
# SKIP_BUILD=1 skips the Maven build; MVN_FLAGS is passed to it (e.g. -o). Results also go to
# bench/target/jmh-<time>.json. Temporary logs are created under java.io.tmpdir and deleted.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java-env.sh # JAVA_HOME: a JDK 25
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  ./mvnw -B -q ${MVN_FLAGS:-} install -DskipTests -pl bench -am
fi
OUT=bench/target/jmh-$(date +%Y%m%d-%H%M%S).json
echo "machine: $(nproc) cpus, load avg $(cut -d' ' -f1-3 /proc/loadavg); $(java -version 2>&1 | head -1)"
java -jar bench/target/benchmarks.jar -rf json -rff "$OUT" "$@"
echo "load avg after: $(cut -d' ' -f1-3 /proc/loadavg); results: $OUT"
