#!/usr/bin/env bash
# Apache Kafka (three KRaft nodes on this box, set up by the shared anchor's cluster3.sh) at a fixed
# produce rate: the reference for run-replication.sh's fixed-rate step. A topic of 3 partitions, RF 3,
# min.insync.replicas 2; a 300k warm-up, then RUNS runs of RECORDS x 100 B at RATE rec/s with acks=all
# and linger.ms=5 (ProducerPerformance); prints its latency line per run (per record, from send()).
# KAFKA_ANCHOR: the anchor folder, default ../shared/bench/kafka-anchor next to this repository.
set -uo pipefail
cd "$(dirname "$0")/.."
ANCHOR=${KAFKA_ANCHOR:-$(pwd)/../shared/bench/kafka-anchor}
RATE=${RATE:-20000}
RECORDS=${RECORDS:-600000}
RUNS=${RUNS:-3}
[[ -f $ANCHOR/cluster3.sh ]] || { echo "no Kafka anchor at $ANCHOR; set KAFKA_ANCHOR" >&2; exit 1; }
# cluster3.sh's functions (cfg, start_node, stop_all, produce, fetch_lib); "clean" stops a leftover cluster
# shellcheck disable=SC1091
source "$ANCHOR/cluster3.sh" clean
fetch_lib
rm -rf "$BASE"; mkdir -p "$BASE"
cid=$(java -cp "$LIB/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
for id in 1 2 3; do
  cfg "$id"
  java -cp "$LIB/*" -Dlog4j2.configurationFile="$BASE/n$id/log4j2.properties" -Dkafka.logs.dir="$BASE/n$id" \
    kafka.tools.StorageTool format -t "$cid" -c "$BASE/n$id/server.properties" >/dev/null
done
trap stop_all EXIT
for id in 1 2 3; do start_node "$id"; done
for p in 29092 29192 29292; do
  for _ in $(seq 1 120); do (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null && break; sleep 0.5; done
done
sleep 3
"${TOOL[@]}" org.apache.kafka.tools.TopicCommand --bootstrap-server "$BS" --create --topic fixed-rate --partitions 3 \
  --replication-factor 3 --config min.insync.replicas=2 >/dev/null
produce fixed-rate 300000 -1 > /dev/null 2>&1   # warm-up
for r in $(seq "$RUNS"); do
  echo "kafka RATE $RATE run $r: $(produce fixed-rate "$RECORDS" "$RATE" 2>&1 | grep 50th | tail -1)  load $(cut -d' ' -f1-3 /proc/loadavg)"
done
