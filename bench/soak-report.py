#!/usr/bin/env python3
"""The soak's verdict (bench/run-soak.sh): per service and metric the first, last and largest value and the slope
per hour of a least-squares line over the samples after the first five minutes (start-up and JIT warm-up left out
when the run is long enough); a PNG with one panel per metric; exit 1 when a service logged an error, the generator
saw a failure, or an RSS went over 512 MiB.

    soak-report.py samples.csv soak.png GENERATOR_FAILURES
"""
import csv
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 (after the backend is chosen)

RSS_TARGET_MIB = 512
METRICS = [("rss_mib", "RSS (MiB)"), ("heap_used_mib", "heap used (MiB)"), ("heap_live_mib", "heap live after GC (MiB)"),
           ("heap_old_mib", "old generation (MiB)"),
           ("threads", "threads"), ("fds", "open file descriptors"), ("disk_mib", "data folder (MiB)"),
           ("errors", "ERROR log lines")]


def slope_per_hour(points):
    if len(points) < 2:
        return 0.0
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    var = sum((x - mx) ** 2 for x, _ in points)
    return 0.0 if var == 0 else sum((x - mx) * (y - my) for x, y in points) / var * 3600


def main(samples, png, generator_failures):
    series = defaultdict(lambda: defaultdict(list))  # service -> metric -> [(seconds, value)]
    with open(samples) as f:
        for row in csv.DictReader(f):
            for metric, _ in METRICS:
                if row.get(metric):
                    series[row["service"]][metric].append((int(row["seconds"]), float(row[metric])))
    duration = max(x for s in series.values() for pts in s.values() for x, _ in pts)
    warm = 300 if duration >= 1200 else 0
    print(f"soak: {duration / 60:.1f} min, slopes over the samples after {warm // 60} min")
    print(f"{'service':22} {'metric':16} {'first':>9} {'last':>9} {'max':>9} {'slope/h':>9}")
    failures = []
    for service, metrics in series.items():
        for metric, _ in METRICS:
            pts = metrics.get(metric, [])
            if not pts:
                continue
            values = [y for _, y in pts]
            slope = slope_per_hour([(x, y) for x, y in pts if x >= warm])
            print(f"{service:22} {metric:16} {values[0]:9.1f} {values[-1]:9.1f} {max(values):9.1f} {slope:9.1f}")
        errors = max((y for _, y in metrics.get("errors", [])), default=0)
        if errors > 0:
            failures.append(f"{service} logged {errors:.0f} ERROR lines")
        rss = max((y for _, y in metrics.get("rss_mib", [])), default=0)
        if rss > RSS_TARGET_MIB:
            failures.append(f"{service} RSS reached {rss:.0f} MiB (target {RSS_TARGET_MIB})")
    if generator_failures > 0:
        failures.append(f"the generator saw {generator_failures} failed requests")

    fig, axes = plt.subplots(2, 4, figsize=(18, 8))  # eight panels for the eight metrics
    for ax, (metric, title) in zip(axes.flat, METRICS):
        for service, metrics in series.items():
            pts = metrics.get(metric, [])
            ax.plot([x / 60 for x, _ in pts], [y for _, y in pts], label=service)
        if metric == "rss_mib":
            ax.axhline(RSS_TARGET_MIB, color="red", linestyle="--", linewidth=0.8, label="target")
        ax.set_title(title)
        ax.set_xlabel("minutes")
    axes.flat[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(png, dpi=90)

    print("verdict: " + ("PASS" if not failures else "FAIL: " + "; ".join(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3] or 0)))
