#!/usr/bin/env python3
"""CPU time of a process by thread group, from /proc: where a JVM's cycles go during a benchmark run,
including what a flight recording's execution samples miss (JIT compiler threads, GC, the VM thread).

    bench/proc-cpu.py snap PID > before.json      # per thread group: user + system clock ticks
    ...load...
    bench/proc-cpu.py snap PID > after.json
    bench/proc-cpu.py diff before.json after.json REQUESTS [LABEL]

A thread group is the thread's name with its digits replaced by '#' ("C2 CompilerThread0" and
"C2 CompilerThread1" are "C# CompilerThread#"; Linux keeps the first 15 characters of a name).
diff prints one line: the CPU milliseconds per request of the whole process and the largest groups'
shares, e.g. "gateway cpu_ms_per_request=2.91 ForkJoinPool-#-=55% C# CompilerThre=33% ...".
"""
import json
import os
import re
import sys


def snap(pid):
    groups = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
        except OSError:  # the thread ended meanwhile
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        ticks = int(fields[11]) + int(fields[12])  # utime + stime (fields 14 and 15 of stat)
        group = re.sub(r"[0-9]+", "#", name)
        groups[group] = groups.get(group, 0) + ticks
    return groups


def diff(before, after, requests, label):
    hz = os.sysconf("SC_CLK_TCK")
    delta = {g: after.get(g, 0) - before.get(g, 0) for g in after}
    total = sum(t for t in delta.values() if t > 0)
    if total == 0:
        return f"{label} cpu_ms_per_request=0"
    top = sorted(((t, g) for g, t in delta.items() if t > 0), reverse=True)[:4]
    shares = " ".join(f"{g.replace(' ', '_')}={100 * t // total}%" for t, g in top)
    return f"{label} cpu_ms_per_request={1000.0 * total / hz / requests:.3f} {shares}"


if __name__ == "__main__":
    if sys.argv[1] == "snap":
        print(json.dumps(snap(sys.argv[2])))
    elif sys.argv[1] == "diff":
        with open(sys.argv[2]) as b, open(sys.argv[3]) as a:
            print(diff(json.load(b), json.load(a), float(sys.argv[4]),
                       sys.argv[5] if len(sys.argv) > 5 else "process"))
    else:
        sys.exit(__doc__)
