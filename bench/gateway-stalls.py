#!/usr/bin/env python3
"""Counts produce requests that stall: many 1,000-record produces (117 KB each), one at a time on each of a few
keep-alive connections, and every answer that is not 200, with the slowest request's time.

    bench/gateway-stalls.py --url http://127.0.0.1:8080 --api-key KEY [--requests 15000] [--connections 2]

Run it against a gateway started with a short ingest time limit (--gateway.resilience.timeouts.ingest=3s), so
that a stalled call costs 3 s instead of 40 before it shows as a 504. The topic (--topic, default "stalls") is
created first if it does not exist. Exits 1 if any request failed.
"""
import argparse
import http.client
import json
import sys
import threading
import time
import urllib.parse


def body(records):
    return json.dumps({"acks": "all", "records": [
        {"key": f"k{i}", "value": {"v": "x" * 80}} for i in range(records)]}).encode()


def connection(url):
    parts = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--api-key", default="")
    parser.add_argument("--topic", default="stalls")
    parser.add_argument("--requests", type=int, default=15000, help="per connection")
    parser.add_argument("--connections", type=int, default=2)
    args = parser.parse_args()
    headers = {"Content-Type": "application/json", "X-Api-Key": args.api_key}

    admin = connection(args.url)
    admin.request("POST", "/api/v1/topics", body=json.dumps({"name": args.topic, "partitions": 1}), headers=headers)
    created = admin.getresponse()
    created.read()
    if created.status not in (200, 201, 409):
        sys.exit(f"creating topic {args.topic}: HTTP {created.status}")

    payload = body(1000)
    failures, slowest, lock = {}, [0.0], threading.Lock()

    def run():
        conn = connection(args.url)
        for _ in range(args.requests):
            started = time.perf_counter()
            conn.request("POST", f"/api/v1/topics/{args.topic}/records", body=payload, headers=headers)
            answer = conn.getresponse()
            answer.read()
            took = time.perf_counter() - started
            with lock:
                slowest[0] = max(slowest[0], took)
                if answer.status != 200:
                    failures[answer.status] = failures.get(answer.status, 0) + 1

    started = time.time()
    threads = [threading.Thread(target=run) for _ in range(args.connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = args.requests * args.connections
    print(f"requests={total} failed={sum(failures.values())} by_status={failures} "
          f"slowest_s={slowest[0]:.2f} seconds={time.time() - started:.0f}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
