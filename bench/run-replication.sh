#!/usr/bin/env bash
# Replication scenario (issue 7): a 3-node ingest cluster on 127.0.0.1 started from the exec jar,
#   1. produce throughput, replication factor 1 vs 3 (100 B records, batches of 1,000, 3 partitions,
#      acks=all, LoadDriver through node 1), RUNS runs each, medians;
#   2. latency at a fixed rate (RATE, 20,000 rec/s), replication factor 3, RUNS runs, medians; and each node's own
#      time per hop over those runs (SERVER lines: bench/http-latency.py over /actuator/prometheus);
#   3. failover time: SIGKILL of a partition's leader -> first acknowledged acks=all produce through
#      a survivor (FailoverProbe), FAILOVERS runs (the killed node is restarted between runs), median.
# Everything it starts is stopped at the end (trap), data folders deleted.
#
#   bench/run-replication.sh             # ~10 minutes on the 2-core reference machine
#   QUICK=1 bench/run-replication.sh     # smoke: small counts, 1 throughput run, 2 failovers
#
# Knobs (environment): HTTP_BASE (18091: nodes on 18091-18093), RAFT_BASE (18191), RUNS (3),
# RECORDS (1000000), WARMUP (300000): the shape of the Kafka anchor's runs, CLIENTS (4), FAILOVERS (5), ELECTION_TIMEOUT (1s),
# NODE_JVM_OPTS, NODE_ARGS (more service arguments, after the script's own, e.g.
# --logging.level.org.apache.ratis.server.impl=INFO for election timelines), DRIVER_JVM_OPTS, SKIP_BUILD=1,
# MVN_FLAGS (e.g. -o), OUT (log folder), SERVICE_JAR (another build of ingest-service, for A/B runs),
# JFR=1 (a flight recording per node, <OUT>/node-N.jfr, written when the node stops),
# SKIP_FAILOVER=1, SKIP_FIXED_RATE=1, FACTORS ("1 3": the replication factors measured), RATE (20000),
# KEYS (true: W1's keyed records, each request spread over the 3 partitions; false: keyless records, one
# partition per request, as Kafka's ProducerPerformance sends them),
# ELECT_PREFERRED=1 (with CLIENT=kafka: a preferred-leader election before the warm-up, so each partition is led
# by its first replica during the runs, as Kafka places leaders at creation),
# CLIENT (rest: LoadDriver over HTTP through node 1; kafka: Kafka's own ProducerPerformance over the nodes' Kafka
# listeners on KAFKA_BASE (18291), with the settings of ../shared/bench/kafka-anchor/cluster3.sh: 100 B,
# acks=all, linger.ms=5, 300k warm-up, so that its figures compare with that script's run after this one;
# the client sends each partition's batches to its leader; a CPU line per run splits the cores between the nodes and
# the client, as bench/kafka-anchor-cpu.sh does for Kafka (bench/cpu-per-run.py); the fixed-rate step then runs as
# bench/kafka-fixed-rate.sh), ANCHOR (the kafka-anchor folder), REPLICA_BASE (18391:
# the replication listeners' ports: the default write path; NODE_ARGS=--ingest.replication.fetch-writes=false for a
# Raft entry per batch).
set -euo pipefail

cd "$(dirname "$0")/.."
source scripts/java-env.sh # JAVA_HOME: a JDK 25
ROOT=$(pwd)

HTTP_BASE=${HTTP_BASE:-18091}
RAFT_BASE=${RAFT_BASE:-18191}
RUNS=${RUNS:-3}
RECORDS=${RECORDS:-1000000}
WARMUP=${WARMUP:-300000}
CLIENTS=${CLIENTS:-4}
KEYS=${KEYS:-true}
FAILOVERS=${FAILOVERS:-5}
ELECTION_TIMEOUT=${ELECTION_TIMEOUT:-1s}
RATE=${RATE:-20000}
CLIENT=${CLIENT:-rest}
KAFKA_BASE=${KAFKA_BASE:-18291}
REPLICA_BASE=${REPLICA_BASE:-18391}
ANCHOR=${ANCHOR:-$ROOT/../shared/bench/kafka-anchor}
if [[ "${QUICK:-0}" == 1 ]]; then
  RUNS=1; RECORDS=50000; WARMUP=20000; FAILOVERS=2
fi
NODE_JVM_OPTS=${NODE_JVM_OPTS:--Xms512m -Xmx1g -XX:+UseG1GC}
DRIVER_JVM_OPTS=${DRIVER_JVM_OPTS:--Xms1g -Xmx1g -XX:+UseG1GC}
OUT=${OUT:-$ROOT/bench/target/replication-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"

log() { echo "[run-replication $(date +%H:%M:%S)] $*" | tee -a "$OUT/replication.log"; }

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  log "building ingest-service and bench"
  ./mvnw -B -q ${MVN_FLAGS:-} install -DskipTests -pl bench -am
fi
SERVICE_JAR=${SERVICE_JAR:-$ROOT/ingest-service/target/ingest-service-0.1.0-SNAPSHOT-exec.jar}
BENCH_JAR=$ROOT/bench/target/benchmarks.jar
[[ -f $SERVICE_JAR && -f $BENCH_JAR ]] || { echo "missing $SERVICE_JAR or $BENCH_JAR; build first" >&2; exit 1; }

NODES=(1 2 3)
PEERS=
BOOTSTRAP=
for n in "${NODES[@]}"; do
  h=$((HTTP_BASE + n - 1)); r=$((RAFT_BASE + n - 1))
  if curl -s -o /dev/null "http://127.0.0.1:$h/actuator/health"; then
    echo "something already listens on port $h; set HTTP_BASE" >&2; exit 1
  fi
  PEERS+="${PEERS:+,}$n=127.0.0.1:$h:$r:$((KAFKA_BASE + n - 1)):$((REPLICA_BASE + n - 1))"
  BOOTSTRAP+="${BOOTSTRAP:+,}127.0.0.1:$((KAFKA_BASE + n - 1))"
done
url() { echo "http://127.0.0.1:$((HTTP_BASE + $1 - 1))"; }
# the median of the numbers on stdin, one per line (n/a for none)
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print "n/a"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
# leaders <topic>: which node leads each partition as node 1 describes it (who took the writes: with Kafka's client
# each partition's leader takes its batches, and one node leading all three does all the leaders' work)
leaders() {
  curl -s --max-time 5 "$(url 1)/api/v1/topics/$1" | python3 -c 'import json, sys
d = json.load(sys.stdin)
print(" ".join("p%d=node%d" % (p["partition"], p["leader"]) for p in d["partitionDetails"]))' 2>/dev/null || echo "n/a"
}

DATA=$(mktemp -d /tmp/tributary-repl-XXXXXX)
declare -A PID=()
SAMPLER=
cleanup() {
  [[ -n $SAMPLER ]] && kill "$SAMPLER" 2>/dev/null || true
  for n in "${!PID[@]}"; do
    local p=${PID[$n]}
    if kill -0 "$p" 2>/dev/null; then kill "$p" 2>/dev/null || true; fi
  done
  for n in "${!PID[@]}"; do
    local p=${PID[$n]}
    for _ in $(seq 30); do kill -0 "$p" 2>/dev/null || break; sleep 1; done
    kill -9 "$p" 2>/dev/null || true
  done
  PID=()
  rm -rf "$DATA"
}
trap cleanup EXIT

start_node() {
  local n=$1
  local jfr=()
  if [[ "${JFR:-0}" == 1 ]]; then
    # one file per node and start: the JVM does not expand %p in the file name on Java 17
    jfr=("-XX:StartFlightRecording=filename=$OUT/node-$n-$(date +%H%M%S).jfr,settings=profile,dumponexit=true")
  fi
  # shellcheck disable=SC2086
  java $NODE_JVM_OPTS "${jfr[@]}" -jar "$SERVICE_JAR" \
    --server.port="$((HTTP_BASE + n - 1))" --server.address=127.0.0.1 \
    --ingest.data-dir="$DATA/node-$n" --ingest.kafka.port="$((KAFKA_BASE + n - 1))" --ingest.kafka.advertised-host=127.0.0.1 --ingest.node-id="$n" --ingest.cluster.peers="$PEERS" \
    --ingest.replication.election-timeout="$ELECTION_TIMEOUT" \
    --logging.level.org.apache.ratis=WARN ${NODE_ARGS:-} >> "$OUT/node-$n.log" 2>&1 &
  PID[$n]=$!
  disown "${PID[$n]}"   # no "Killed" job report from bash after the SIGKILL
}
wait_healthy() {
  local n=$1
  for i in $(seq 180); do
    if curl -sf -o /dev/null "$(url "$n")/actuator/health"; then return 0; fi
    if ! kill -0 "${PID[$n]}" 2>/dev/null; then echo "node $n died; see $OUT/node-$n.log" >&2; exit 1; fi
    sleep 1
  done
  echo "node $n not healthy after 180 s" >&2; exit 1
}

{
  echo "machine: $(nproc) cpus, $(free -g | awk '/Mem:/{print $2}') GiB, load avg $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo n/a)"
  echo "node JVM: $NODE_JVM_OPTS; driver JVM: $DRIVER_JVM_OPTS"
  echo "peers: $PEERS; election timeout $ELECTION_TIMEOUT; data: $DATA"
} | tee -a "$OUT/replication.log"

T0=$(date +%s)
log "starting nodes ${NODES[*]}"
for n in "${NODES[@]}"; do start_node "$n"; done
for n in "${NODES[@]}"; do wait_healthy "$n"; done
log "cluster up after $(( $(date +%s) - T0 )) s (pids ${PID[*]})"

# ------------------------------------------------------------------ throughput RF 1 vs RF 3
LIB="${KAFKA_ANCHOR_LIB:-$HOME/.cache/kafka-anchor/lib}"
TOOL=(java -Xmx512m -cp "$LIB/*" -Dlog4j2.configurationFile="$ANCHOR/tools-log4j2.properties")
# kafka_produce <topic> <records> <log> [rate]: one ProducerPerformance run as cluster3.sh's (at most <rate> rec/s
# when given, as bench/kafka-fixed-rate.sh's), its whole output appended to <log> (a record that failed is printed
# there with its exception); echoes its summary line and how many failed
kafka_produce() {
  local before; before=$(grep -c 'Exception' "$3" 2>/dev/null || true)
  "${TOOL[@]}" org.apache.kafka.tools.ProducerPerformance --topic "$1" --num-records "$2" --record-size 100 \
    --throughput "${4:--1}" --producer-props bootstrap.servers="$BOOTSTRAP" acks=all linger.ms=5 >> "$3" 2>&1
  echo "$(grep '50th' "$3" | tail -1) failed_callbacks=$(( $(grep -c 'Exception' "$3" || true) - ${before:-0} ))"
}
if [[ "$CLIENT" == kafka ]] && ! ls "$LIB"/kafka-tools-*.jar >/dev/null 2>&1; then
  # the anchor's jars, fetched once as its scripts do (mvn package of a copy of its pom.xml)
  w=$(mktemp -d); cp "$ANCHOR/pom.xml" "$w/"; mkdir -p "$LIB"
  (cd "$w" && mvn -B -q package -Danchor.lib="$LIB") && rm -rf "$w"
fi
for rf in ${FACTORS:-1 3}; do
  name=produce-rf$rf
  log "scenario $name (load avg $(cut -d' ' -f1-3 /proc/loadavg))"
  if [[ "$CLIENT" == kafka ]]; then
    # The nodes' and the client's CPU over each run (bench/cpu-per-run.py: the client shares the two cores).
    python3 bench/cpu-per-run.py sample > "$OUT/$name-cpu.log" & SAMPLER=$!
    "${TOOL[@]}" org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --create --topic "kafka-rf$rf" \
      --partitions 3 --replication-factor "$rf" >> "$OUT/$name.log" 2>&1
    if [[ "${ELECT_PREFERRED:-0}" == 1 ]]; then
      # Each partition's lead on its preferred replica before the warm-up, as Kafka places it at creation.
      sleep 3 # the new groups' first elections
      log "preferred leaders: $(curl -s --max-time 30 -X POST "$(url 1)/api/v1/cluster/preferred-leader-elections?topic=kafka-rf$rf" \
        | tr -d '\n' | cut -c1-300); now $(leaders "kafka-rf$rf")"
    fi
    kafka_produce "kafka-rf$rf" "$WARMUP" "$OUT/$name.log" > /dev/null
    rps=()
    for r in $(seq "$RUNS"); do
      line=$(kafka_produce "kafka-rf$rf" "$RECORDS" "$OUT/$name.log")
      rps+=("$(sed -E 's/^[0-9]+ records sent, ([0-9.]+) records\/sec.*/\1/' <<<"$line")")
      log "RESULT run=$r $line (load avg $(cut -d' ' -f1 /proc/loadavg))"
      echo "$name RESULT run=$r $line" >> "$OUT/summary.txt"
    done
    kill "$SAMPLER" 2>/dev/null || true; wait "$SAMPLER" 2>/dev/null || true; SAMPLER=
    # shellcheck disable=SC2046 # one argument per run, the warm-up first
    python3 bench/cpu-per-run.py report "$OUT/$name-cpu.log" \
      $(sed -nE '/50th/ s/^[0-9]+ records sent, ([0-9.]+) records\/sec.*/\1/p' "$OUT/$name.log") \
      | sed "s/^/$name CPU /" | tee -a "$OUT/replication.log" >> "$OUT/summary.txt" || true
    med=$(printf '%s\n' "${rps[@]}" | median)
    log "MEDIAN rec/s=$med runs=[${rps[*]}]"
    echo "$name MEDIAN rec/s=$med runs=[${rps[*]}] client=kafka leaders: $(leaders "kafka-rf$rf")" >> "$OUT/summary.txt"
    continue
  fi
  # shellcheck disable=SC2086
  java $DRIVER_JVM_OPTS -cp "$BENCH_JAR" io.tributary.bench.LoadDriver --url "$(url 1)" \
    --mode produce --topic "repl-rf$rf" --partitions 3 --replication-factor "$rf" --record-bytes 100 \
    --batch 1000 --clients "$CLIENTS" --keys "$KEYS" --records "$RECORDS" --warmup "$WARMUP" --runs "$RUNS" --max-seconds 120 \
    2>&1 | tee "$OUT/$name.log" | grep -E '^(RESULT|MEDIAN|LoadDriver|created|topic|warm-up)' | tee -a "$OUT/replication.log" || true
  grep -h '^MEDIAN\|^RESULT' "$OUT/$name.log" | sed "s/^/$name /" >> "$OUT/summary.txt" || true
  echo "$name leaders: $(leaders "repl-rf$rf")" >> "$OUT/summary.txt"
done

# ------------------------------------------------------------------ latency at a fixed rate, RF 3
# Requests of 1,000 records due every 1000/RATE s through node 1, latency from the intended send
# time (no coordinated omission); the issue's target is p99 <= 15 ms at 20,000 rec/s.
if [[ "${SKIP_FIXED_RATE:-0}" != 1 && "$CLIENT" == kafka ]]; then
  # Kafka's ProducerPerformance at RATE as bench/kafka-fixed-rate.sh runs it against Kafka (300k warm-up, runs of
  # 30 s): latency per record from send(), its 5 ms linger included; each partition's batches go to its leader.
  name=fixed-rate-rf3
  log "scenario $name at $RATE rec/s, Kafka's client (load avg $(cut -d' ' -f1-3 /proc/loadavg))"
  "${TOOL[@]}" org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --create --topic kafka-rate-rf3 \
    --partitions 3 --replication-factor 3 >> "$OUT/$name.log" 2>&1
  kafka_produce kafka-rate-rf3 300000 "$OUT/$name.log" > /dev/null
  p50s=(); p99s=()
  for r in $(seq "$RUNS"); do
    line=$(kafka_produce kafka-rate-rf3 $((RATE * 30)) "$OUT/$name.log" "$RATE")
    p50s+=("$(sed -E 's/.* ([0-9.]+) ms 50th.*/\1/' <<<"$line")"); p99s+=("$(sed -E 's/.* ([0-9.]+) ms 99th.*/\1/' <<<"$line")")
    log "RESULT run=$r $line (load avg $(cut -d' ' -f1 /proc/loadavg))"
    echo "$name RESULT run=$r $line" >> "$OUT/summary.txt"
  done
  line="MEDIAN p50=$(printf '%s\n' "${p50s[@]}" | median) p99=$(printf '%s\n' "${p99s[@]}" | median) ms runs_p99=[${p99s[*]}]"
  log "$line"
  echo "$name $line client=kafka" >> "$OUT/summary.txt"
elif [[ "${SKIP_FIXED_RATE:-0}" != 1 ]]; then
  name=fixed-rate-rf3
  log "scenario $name at $RATE rec/s (load avg $(cut -d' ' -f1-3 /proc/loadavg))"
  # The nodes' histograms from the end of the driver's warm-up on (the window of its measured runs).
  rm -f "$OUT/$name.log"
  (for _ in $(seq 600); do grep -q '^warm-up' "$OUT/$name.log" 2>/dev/null && break; sleep 0.1; done
   for n in "${NODES[@]}"; do python3 bench/http-latency.py snap "$(url "$n")" > "$OUT/$name-node-$n-before.prom" || true; done) &
  snapper=$!
  # shellcheck disable=SC2086
  java $DRIVER_JVM_OPTS -cp "$BENCH_JAR" io.tributary.bench.LoadDriver --url "$(url 1)" \
    --mode fixed-rate --rate "$RATE" --topic repl-rate-rf3 --partitions 3 --replication-factor 3 \
    --record-bytes 100 --batch 1000 --clients "$CLIENTS" --keys "$KEYS" --records $((RATE * 30)) --warmup $((RATE * 10)) \
    --runs "$RUNS" --max-seconds 120 \
    2>&1 | tee "$OUT/$name.log" | grep -E '^(RESULT|MEDIAN|created|topic|warm-up)' | tee -a "$OUT/replication.log" || true
  grep -h '^MEDIAN\|^RESULT' "$OUT/$name.log" | sed "s/^/$name /" >> "$OUT/summary.txt" || true
  wait "$snapper" || true
  # Each node's own time per endpoint over the measured runs: the front node's produce, the appends forwarded to
  # the leaders (which answer once their followers fetched); against the client's figures, where slow requests wait.
  for n in "${NODES[@]}"; do
    python3 bench/http-latency.py snap "$(url "$n")" > "$OUT/$name-node-$n-after.prom" || continue
    python3 bench/http-latency.py diff "$OUT/$name-node-$n-before.prom" "$OUT/$name-node-$n-after.prom" \
      "SERVER node=$n" | grep -v '/actuator' | tee -a "$OUT/replication.log" >> "$OUT/summary.txt" || true
  done
fi

# ------------------------------------------------------------------ heap kept by each node
# Live heap after a full GC once the topics above are written: what a node holds for its partitions
# (the Raft log cache above all), which must not grow with the data written.
for n in "${NODES[@]}"; do
  live=$(jcmd "${PID[$n]}" GC.class_histogram 2>/dev/null | awk '/^Total/ {printf "%.0f", $3 / 1048576}')
  echo "HEAP node=$n live_mib=${live:-n/a}" | tee -a "$OUT/replication.log" >> "$OUT/summary.txt"
done

# ------------------------------------------------------------------ failover
: > "$OUT/failover.txt"
[[ "${SKIP_FAILOVER:-0}" == 1 ]] && FAILOVERS=0
for run in $(seq "$FAILOVERS"); do
  pids=
  for n in "${NODES[@]}"; do pids+="${pids:+,}$n=${PID[$n]}"; done
  nodes=
  for n in "${NODES[@]}"; do nodes+="${nodes:+,}$n=$(url "$n")"; done
  log "failover run $run/$FAILOVERS (load avg $(cut -d' ' -f1-3 /proc/loadavg))"
  line=$(java -Xmx256m -cp "$BENCH_JAR" io.tributary.bench.FailoverProbe --nodes "$nodes" --pids "$pids" \
    --topic failover --max-seconds 90 2>&1 | tee -a "$OUT/failover-probe.log" | grep -E '^(FAILOVER |FAILED)' || true)
  log "$line"
  # What the survivor answered after the kill, runs of one answer merged (where the failover's time went).
  log "$(grep '^FAILOVER_TIMELINE' "$OUT/failover-probe.log" | tail -1)"
  if [[ "$line" != FAILOVER* ]]; then echo "failover run $run failed; see $OUT" >&2; exit 1; fi
  echo "$line" >> "$OUT/failover.txt"
  killed=$(sed -E 's/.*killed=([0-9]+).*/\1/' <<<"$line")
  for _ in $(seq 30); do kill -0 "${PID[$killed]}" 2>/dev/null || break; sleep 1; done
  log "restarting node $killed"
  start_node "$killed"
  wait_healthy "$killed"
done

FAIL_MS=$(sed -E 's/.*ms=([0-9]+).*/\1/' "$OUT/failover.txt" | tr '\n' ' ')
FAIL_MEDIAN=$(sed -E 's/.*ms=([0-9]+).*/\1/' "$OUT/failover.txt" | median)
echo "FAILOVER_MEDIAN ms=$FAIL_MEDIAN runs=[$FAIL_MS]" >> "$OUT/summary.txt"

log "stopping the cluster"
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
cleanup
echo
echo "==================== replication summary (load avg at the end $LOAD_END; $(( $(date +%s) - T0 )) s) ===================="
if [[ "$RUNS" -gt 1 ]]; then grep -E '^(produce-rf[13] (MEDIAN|leaders)|fixed-rate-rf3 MEDIAN|SERVER|HEAP|FAILOVER_MEDIAN)' "$OUT/summary.txt"; else cat "$OUT/summary.txt"; fi
echo "logs: $OUT"
