package io.tributary.clean.runner;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.springframework.stereotype.Component;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.tributary.clean.config.CleanProperties;
import io.tributary.client.ClientSettings;
import io.tributary.support.identity.TokenMinter;
import io.tributary.client.IngestClient;
import io.tributary.client.IngestException;
import io.tributary.client.NewTopic;
import io.tributary.client.ProblemKind;
import io.tributary.client.ProducerIdentity;
import io.tributary.client.TopicDescription;
import io.tributary.client.TopicPartition;
import io.tributary.client.producer.IngestProducer;
import io.tributary.client.producer.ProducerSettings;
import io.tributary.client.producer.RecordMetadata;
import io.tributary.client.producer.SequencedTree;
import jakarta.annotation.PreDestroy;

/**
 * Every call the runner makes to the ingest service, each through a resilience4j retry (with
 * exponential backoff, for retriable failures only) around one shared circuit breaker. When the
 * retries are used up, or the breaker is open, the call fails with
 * {@link IngestUnavailableException}; non-retriable answers (fenced, out-of-order, not found)
 * pass through at once as {@link IngestException} and do not count against the breaker.
 * Thread-safe.
 */
@Component
public class IngestGateway {

    private final ClientSettings settings;
    private final IngestClient client;
    private final IngestProducer producer;
    private final CircuitBreaker breaker;
    private final Retry retry;

    /**
     * @param identity this service's tokens: every call to ingest is made as {@code Service:stream-clean}
     */
    public IngestGateway(CleanProperties properties, TokenMinter identity) {
        ClientSettings settings = ClientSettings.of(properties.ingestUrl())
                .withRequestTimeout(properties.runner().requestTimeout())
                .withExtraHeaders(identity::authorizationHeaders);
        this.settings = settings;
        this.client = IngestClient.create(settings);
        // Retries belong to resilience4j here: the producer makes one attempt per call.
        this.producer = IngestProducer.create(ProducerSettings.builder(settings).idempotent(false).maxAttempts(1)
                .build());
        CleanProperties.Ingest ingest = properties.ingest();
        Predicate<Throwable> transientFailure = IngestGateway::isTransient;
        this.breaker = CircuitBreaker.of("ingest", CircuitBreakerConfig.custom()
                .failureRateThreshold(ingest.failureRateThreshold())
                .slidingWindowSize(20)
                .minimumNumberOfCalls(5)
                .waitDurationInOpenState(ingest.openWait())
                .recordException(transientFailure)
                .build());
        this.retry = Retry.of("ingest", RetryConfig.custom()
                .maxAttempts(ingest.retryAttempts())
                .intervalFunction(IntervalFunction.ofExponentialBackoff(ingest.retryBackoff(), 2.0,
                        Duration.ofSeconds(5)))
                .retryOnException(failure -> isTransient(failure) || failure instanceof CallNotPermittedException)
                .build());
    }

    /** The settings of every ingest client of this service (the workers' group consumers too). */
    public ClientSettings clientSettings() {
        return settings;
    }

    public CircuitBreaker.State breakerState() {
        return breaker.getState();
    }

    public TopicDescription describeTopic(String topic) {
        return call("describe topic " + topic, () -> client.describeTopic(topic));
    }

    /** The offsets the group committed, by partition (next offset to consume); none yet: empty. */
    public Map<TopicPartition, Long> committedOffsets(String group) {
        try {
            return call("describe group " + group, () -> client.committedOffsets(group));
        } catch (IngestException e) {
            if (e.kind() == ProblemKind.NOT_FOUND) {
                return Map.of();
            }
            throw e;
        }
    }

    /** Creates the topic unless it exists; returns its description either way. */
    public TopicDescription ensureTopic(String topic, int partitions) {
        try {
            return describeTopic(topic);
        } catch (IngestException e) {
            if (e.kind() != ProblemKind.NOT_FOUND) {
                throw e;
            }
        }
        try {
            return call("create topic " + topic, () -> client.createTopic(new NewTopic(topic, partitions, 1)));
        } catch (IngestException e) {
            if (e.kind() == ProblemKind.CONFLICT) {
                return describeTopic(topic);
            }
            throw e;
        }
    }

    public ProducerIdentity initProducer(String name) {
        return call("init producer " + name, () -> client.initProducer(name));
    }

    public Map<Integer, Long> lastSequences(long producerId, String topic) {
        return call("sequences of " + producerId, () -> client.lastSequences(producerId, topic));
    }

    /** Writes one batch to one partition and waits for the acknowledgement. */
    public List<RecordMetadata> send(String topic, int partition, List<SequencedTree> records,
                                     ProducerIdentity identity) {
        return call("produce to " + topic + "/" + partition, () -> {
            try {
                return producer.sendSequencedTrees(topic, partition, records, identity).join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
        });
    }

    private <T> T call(String what, Supplier<T> supplier) {
        try {
            return Retry.decorateSupplier(retry, CircuitBreaker.decorateSupplier(breaker, supplier)).get();
        } catch (CallNotPermittedException e) {
            throw new IngestUnavailableException("ingest service unavailable (circuit breaker open): " + what, e);
        } catch (IngestException e) {
            if (isTransient(e)) {
                throw new IngestUnavailableException("ingest service unavailable: " + what + ": " + e.getMessage(), e);
            }
            throw e;
        }
    }

    private static boolean isTransient(Throwable failure) {
        return failure instanceof IngestException ingest
                && (ingest.retriable() || ingest.kind() == ProblemKind.NETWORK || ingest.status() >= 500);
    }

    @PreDestroy
    void close() {
        producer.close();
        client.close();
    }
}
