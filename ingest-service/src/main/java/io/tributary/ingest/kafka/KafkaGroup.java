package io.tributary.ingest.kafka;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;

/**
 * One consumer group of Kafka's classic group protocol, as its coordinator keeps it in memory
 * (membership is not durable, as in Kafka: members rejoin after a restart; committed offsets are).
 * Guarded by its own monitor ({@link KafkaGroupCoordinator} synchronizes on it).
 *
 * <pre>
 *   EMPTY --join--> PREPARING_REBALANCE --every member joined, or the rebalance timeout--> COMPLETING_REBALANCE
 *   COMPLETING_REBALANCE --the leader's SyncGroup--> STABLE
 *   STABLE or COMPLETING_REBALANCE --join, leave, session expiry--> PREPARING_REBALANCE
 *   any --last member gone--> EMPTY
 * </pre>
 */
final class KafkaGroup {

    enum State {
        EMPTY("Empty"), PREPARING_REBALANCE("PreparingRebalance"), COMPLETING_REBALANCE("CompletingRebalance"),
        STABLE("Stable");

        /** The name Kafka's tools show. */
        final String kafkaName;

        State(String kafkaName) {
            this.kafkaName = kafkaName;
        }
    }

    static final class Member {
        final String id;
        String clientId;
        String clientHost;
        int sessionTimeoutMs;
        int rebalanceTimeoutMs;
        List<JoinGroupRequestProtocol> protocols;
        byte[] assignment = new byte[0];
        long lastSeenMs;
        /** Set while the member waits in JoinGroup for the rebalance to complete. */
        CompletableFuture<JoinGroupResponseData> join;
        /** Set while the member waits in SyncGroup for the leader's assignment. */
        CompletableFuture<SyncGroupResponseData> sync;

        Member(String id) {
            this.id = id;
        }

        byte[] metadata(String protocol) {
            for (JoinGroupRequestProtocol p : protocols) {
                if (p.name().equals(protocol)) {
                    return p.metadata();
                }
            }
            return new byte[0];
        }

        boolean supports(String protocol) {
            return protocols.stream().anyMatch(p -> p.name().equals(protocol));
        }
    }

    final String id;
    State state = State.EMPTY;
    int generation;
    String protocolType;
    String protocolName;
    String leader;
    final Map<String, Member> members = new LinkedHashMap<>();
    /** Member ids handed out with MEMBER_ID_REQUIRED that have not joined with them yet. */
    final Set<String> pendingMemberIds = new HashSet<>();
    /** Ends the current rebalance when members are missing; null outside PREPARING_REBALANCE. */
    ScheduledFuture<?> rebalanceTimer;
    /** An empty group's first rebalance waits this long for more members to join. */
    boolean initialDelay;

    KafkaGroup(String id) {
        this.id = id;
    }
}
