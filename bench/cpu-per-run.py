#!/usr/bin/env python3
"""Where a box's two cores go during each produce run: the brokers' share against the client's.

On the 2-core reference machine the load client (Kafka's ProducerPerformance) runs beside the three
brokers, so a throughput figure is bounded by what the client itself spends per record as much as
by the brokers. This sampler splits the CPU between them, the same way for this project's nodes and
for Apache Kafka's (../shared/bench/kafka-anchor/cluster3.sh):

    bench/cpu-per-run.py sample > cpu.log &     # every 0.5 s: CPU ticks of each broker and client JVM
    ...bench/run-replication.sh or cluster3.sh...
    kill %1
    bench/cpu-per-run.py report cpu.log [RATE ...]

sample recognises a JVM by its command line: this project's node (--ingest.node-id=N; one started
without it is "node"), a Kafka broker (kafka.Kafka .../nN/server.properties), ProducerPerformance
(a new JVM per run). report prints one line per ProducerPerformance JVM that lived at least 5 s: the
cores each broker and the client used over its steady middle (from 2.5 s after its start, which
skips the client's JVM start, to 0.5 s before its end). Given the runs' rates in rec/s, in the order
the JVMs started (warm-up included; 0 for one not known), it also prints the brokers' and the
client's CPU microseconds per record.
"""
import collections
import os
import re
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def label(pid):
    try:
        with open(f"/proc/{pid}/cmdline") as f:
            cmd = f.read().replace("\0", " ")
    except OSError:
        return None
    if not cmd.startswith("java") and "/java " not in cmd:
        return None  # a shell or pgrep that names the same class
    m = re.search(r"--ingest\.node-id=(\d+)", cmd)
    if m:
        return "node" + m.group(1)
    if "ingest-service" in cmd and ".jar" in cmd:
        return "node"  # one node, no cluster (bench/run-kafka-protocol.sh)
    if "ProducerPerformance" in cmd:
        return "client"
    if "kafka.Kafka" in cmd:
        m = re.search(r"/n(\d+)/server\.properties", cmd)
        return "kafka" + (m.group(1) if m else pid)
    return None


def sample():
    labels = {}
    while True:
        line = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            if pid not in labels:
                labels[pid] = label(pid)
            if not labels[pid]:
                continue
            try:
                with open(f"/proc/{pid}/stat") as f:
                    stat = f.read()
            except OSError:  # ended meanwhile
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            line.append(f"{labels[pid]}:{pid}={int(fields[11]) + int(fields[12])}")  # utime + stime
        print(f"{time.time():.2f} " + " ".join(sorted(line)), flush=True)
        time.sleep(0.5)


def report(path, rates):
    rows = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            rows.append((float(parts[0]), dict((k, int(v)) for k, v in (p.split("=") for p in parts[1:]))))
    lives = collections.defaultdict(list)
    for t, ticks in rows:
        for key in ticks:
            if key.startswith("client:"):
                lives[key].append(t)
    runs = sorted(lives.items(), key=lambda kv: kv[1][0])
    at = lambda t: min(rows, key=lambda r: abs(r[0] - t))
    for i, (client, seen) in enumerate(runs):
        if seen[-1] - seen[0] < 5:
            continue
        a, b = at(seen[0] + 2.5), at(seen[-1] - 0.5)
        span = b[0] - a[0]
        cores = collections.Counter()
        for key, v in b[1].items():
            if key in a[1]:
                cores[key.split(":")[0]] += (v - a[1][key]) / TICK / span
        brokers = sum(v for k, v in cores.items() if k != "client")
        out = f"run {i + 1}: {span:.1f} s, " + " ".join(f"{k}={v:.2f}" for k, v in sorted(cores.items()))
        out += f" brokers={brokers:.2f} cores"
        if i < len(rates) and rates[i] > 0:
            rate = rates[i]
            out += (f"; at {rate / 1000:.1f}k rec/s: brokers {brokers * 1e6 / rate:.2f} us/rec,"
                    f" client {cores['client'] * 1e6 / rate:.2f} us/rec")
        print(out)


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "sample":
        sample()
    elif len(sys.argv) >= 3 and sys.argv[1] == "report":
        report(sys.argv[2], [float(r) for r in sys.argv[3:]])
    else:
        sys.exit(__doc__)
