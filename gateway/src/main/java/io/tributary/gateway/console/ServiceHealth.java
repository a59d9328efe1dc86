package io.tributary.gateway.console;

import io.tributary.gateway.config.GatewayProperties;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.springframework.web.client.RestClientResponseException;

/**
 * The readiness of the services behind the gateway, for the console's overview: each service's public
 * {@code /actuator/health/readiness}, asked in parallel with a short timeout. One answer is kept for a second, so that
 * many open consoles cost the services one probe each per second at most.
 */
@Component
class ServiceHealth {

    /** One service's state: {@code UP}, {@code DOWN} (it answered not ready) or {@code UNREACHABLE}. */
    record Status(String name, String status) {
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final long KEEP_MILLIS = 1_000;

    private record Probe(String name, URI url) {
    }

    private record Answer(long at, List<Status> statuses) {
    }

    private final List<Probe> probes;
    private final RestClient client;
    private final AtomicReference<Answer> last = new AtomicReference<>();

    ServiceHealth(GatewayProperties gateway) {
        this.probes = List.of(new Probe("ingest-service", gateway.ingestUrl()),
                new Probe("stream-clean-service", gateway.cleanUrl()),
                new Probe("analytics-service", gateway.analyticsUrl()));
        this.client = RestClient.builder().requestFactory(ClientHttpRequestFactoryBuilder.jdk()
                .build(HttpClientSettings.defaults().withTimeouts(TIMEOUT, TIMEOUT))).build();
    }

    /** The gateway (up, since it answers) and each service, in a fixed order. */
    List<Status> current() {
        Answer answer = last.get();
        long now = System.currentTimeMillis();
        if (answer != null && now - answer.at() < KEEP_MILLIS) {
            return answer.statuses();
        }
        List<Future<Status>> pending;
        try (ExecutorService probing = Executors.newVirtualThreadPerTaskExecutor()) {
            pending = probes.stream().map(p -> probing.submit(() -> probe(p))).toList();
        } // close() waits for every probe; each ends within its timeouts and catches its own failures
        List<Status> statuses = new ArrayList<>();
        statuses.add(new Status("gateway", "UP"));
        pending.forEach(status -> statuses.add(status.resultNow()));
        List<Status> answered = List.copyOf(statuses);
        last.set(new Answer(now, answered));
        return answered;
    }

    private Status probe(Probe probe) {
        try {
            client.get().uri(probe.url().resolve("/actuator/health/readiness")).retrieve().toBodilessEntity();
            return new Status(probe.name(), "UP");
        } catch (RestClientResponseException e) {
            return new Status(probe.name(), "DOWN"); // 503: the service runs but is not ready
        } catch (RestClientException e) {
            return new Status(probe.name(), "UNREACHABLE");
        }
    }
}
