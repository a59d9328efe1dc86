#!/usr/bin/env python3
"""A node's own time per HTTP endpoint over a window of a benchmark, from Spring's http.server.requests
histogram (/actuator/prometheus; the ingest service publishes its buckets), and its other timers with buckets
(ingest.replication.forward: a produced batch sent on to its leader, until the answer): which hop of a request
the client's latency comes from.

    bench/http-latency.py snap URL > before.prom          # URL: a node's base, e.g. http://127.0.0.1:18091
    ...load...
    bench/http-latency.py snap URL > after.prom
    bench/http-latency.py diff before.prom after.prom [LABEL]

diff prints one line per endpoint (method, URI template) or timer with requests in the window:
"LABEL POST /api/v1/topics/{topic}/records requests=600 p50_ms<=4.5 p99_ms<=13.9 over_15ms=3".
The quantiles are the upper bounds of the histogram buckets they fall in (Micrometer's buckets are about
10% apart in this range), so a figure is an upper bound, not a sample. over_15ms counts the requests above
the bucket bound nearest to 15 ms.
"""
import re
import sys
import urllib.request

BUCKET = re.compile(r'^(?P<metric>\w+)_seconds_bucket\{(?P<labels>.*)\} (?P<count>\S+)$')
LABEL = re.compile(r'(\w+)="([^"]*)"')


def snap(url):
    with urllib.request.urlopen(url.rstrip("/") + "/actuator/prometheus", timeout=10) as r:
        sys.stdout.write(r.read().decode())


def buckets(path):
    """(method, uri) or ("timer", name) -> {le seconds: cumulative count}, summed over the other labels."""
    out = {}
    with open(path) as f:
        for line in f:
            m = BUCKET.match(line)
            if not m:
                continue
            labels = dict(LABEL.findall(m.group("labels")))
            le = float("inf") if labels["le"] == "+Inf" else float(labels["le"])
            if m.group("metric") == "http_server_requests":
                key = (labels.get("method", "?"), labels.get("uri", "?"))
            else:
                key = ("timer", m.group("metric"))
            per = out.setdefault(key, {})
            per[le] = per.get(le, 0.0) + float(m.group("count"))
    return out


def quantile(cumulative, q):
    total = cumulative[-1][1]
    for le, count in cumulative:
        if count >= q * total:
            return le
    return float("inf")


def diff(before_path, after_path, label):
    before = buckets(before_path)
    for key, after in sorted(buckets(after_path).items()):
        earlier = before.get(key, {})
        cumulative = sorted((le, n - earlier.get(le, 0.0)) for le, n in after.items())
        total = cumulative[-1][1]
        if total <= 0:
            continue
        near15 = min((le for le, _ in cumulative), key=lambda le: abs(le - 0.015))
        over = total - dict(cumulative)[near15]
        print(f"{label} {key[0]} {key[1]} requests={total:.0f} p50_ms<={quantile(cumulative, 0.5) * 1000:.1f} "
              f"p99_ms<={quantile(cumulative, 0.99) * 1000:.1f} over_{near15 * 1000:.0f}ms={over:.0f}")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "snap":
        snap(sys.argv[2])
    elif len(sys.argv) >= 4 and sys.argv[1] == "diff":
        diff(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else "")
    else:
        sys.exit(__doc__)
