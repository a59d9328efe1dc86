#!/usr/bin/env python3
"""Splits a gateway flight recording's execution samples by the stage of the proxy path they fall in.

    JFR=1 bench/run-gateway.sh                       # writes <OUT>/gateway.jfr
    jfr print --json --events jdk.ExecutionSample --stack-depth 64 <OUT>/gateway.jfr > samples.json
    bench/jfr-gateway-stages.py samples.json

A sample belongs to the innermost stage on its stack (the stages run outer to inner in the order
below); samples of the JDK HttpClient's own threads form one stage, and the rest (start-up, timers)
is left out. Prints samples per stage and each stage's most frequent leaf frames.
"""
import collections
import json
import sys

STAGES = [
    ("tomcat: parse, valves", "Http11Processor.service"),
    ("request id filter", "RequestIdFilter.doFilterInternal"),
    ("http server observation", "ServerHttpObservationFilter.doFilterInternal"),
    ("forwarded headers filter", "ForwardedHeadersFilter.doFilterInternal"),
    ("api key filter", "ApiKeyFilter.doFilterInternal"),
    ("identity forwarding filter", "IdentityForwardingFilter.doFilterInternal"),
    ("rate limit filter", "RateLimitFilter.doFilterInternal"),
    ("body size filter (+ spring's form/context filters)", "BodySizeLimitFilter.doFilterInternal"),
    ("dispatch (circuit breaker set-up)", "DispatcherServlet.doDispatch"),
    ("route lookup", "DispatcherServlet.getHandler"),
    ("inside the circuit breaker", "CircuitBreakerFilterFunctions.lambda$circuitBreaker$4"),
    ("proxy exchange (RestClient, headers)", "RestClientProxyExchange.exchange"),
    ("jdk client send (caller thread)", "JdkClientHttpRequest.executeInternal"),
    ("response copy to the caller", "AbstractGatewayServerResponse.writeTo"),
]
JDK_CLIENT = ("jdk.internal.net.http", "HttpClientImpl", "SequentialScheduler", "Http1")


def frames_of(event):
    return [f["method"]["type"]["name"].split("/")[-1] + "." + f["method"]["name"]
            for f in event["values"]["stackTrace"]["frames"]]


def main(path):
    events = json.load(open(path))["recording"]["events"]
    total, leaves = collections.Counter(), collections.defaultdict(collections.Counter)
    for event in events:
        frames = frames_of(event)
        stage = None
        for name, marker in STAGES:
            if marker in frames:
                stage = name
        if stage is None and any(any(m in f for m in JDK_CLIENT) for f in frames):
            stage = "jdk client threads (selector, async hand-offs)"
        if stage is None:
            continue
        total[stage] += 1
        leaves[stage][frames[0]] += 1
    counted = sum(total.values())
    print(f"{counted} samples on the proxy path of {len(events)}")
    for name in [s for s, _ in STAGES] + ["jdk client threads (selector, async hand-offs)"]:
        if total[name]:
            top = ", ".join(f"{leaf} {n}" for leaf, n in leaves[name].most_common(3))
            print(f"{total[name]:5d} {100.0 * total[name] / counted:5.1f}%  {name}: {top}")


if __name__ == "__main__":
    main(sys.argv[1])
