package io.tributary.ingest.kafka;

import java.util.concurrent.Executor;

import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The replication listener: where followers fetch the batches of the partitions this node leads, and where
 * other nodes forward the batches produced through them to this node's partitions. Kafka's framing and its Fetch
 * message (kafka-clients' classes: replica id, leader epochs, diverging epoch, high watermark, log start), with
 * the records field carrying the log's own stored batches ({@link StoredLogRecords}); Kafka's Envelope for a
 * forwarded batch ({@link ForwardedAppend}). Only ApiVersions, Fetch and Envelope are answered. Like the Raft
 * port it has no authentication of its own: it must be reachable by the cluster's nodes only.
 */
public final class ReplicaListener {

    private ReplicaListener() {
    }

    /**
     * A listener serving {@code source} and appending forwarded batches with {@code forwarded} (null: it answers
     * fetches only, as in the fetch benchmark); a follower's
     * fetch waits at most {@code maxWaitMs} for data (its own wait, if shorter, wins). Start and stop it as a
     * {@link KafkaServer}.
     */
    public static KafkaServer create(ListenerSettings settings, ReplicaSource source, ForwardedAppends forwarded,
                                     long maxWaitMs, Executor completions) {
        KafkaApis apis = new KafkaApis(null);
        apis.register(ApiKeys.FETCH, new ReplicaFetchApi(source, maxWaitMs, completions));
        if (forwarded != null) {
            apis.register(ApiKeys.ENVELOPE, new ForwardedAppendApi(forwarded)::handle);
        }
        return new KafkaServer(settings, apis);
    }
}
