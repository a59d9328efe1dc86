package io.tributary.ingest.replication;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.ingest.acl.AclProperties;
import io.tributary.ingest.acl.AclStore;
import io.tributary.ingest.config.IngestProperties;
import io.tributary.ingest.produce.ProducerIds;
import io.tributary.ingest.topic.TopicIds;
import io.tributary.ingest.topic.TopicRegistry;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The metadata state machine fed log entries exactly as earlier versions wrote them (fixed JSON),
 * answering the reply texts they answered: what a node upgraded from main must do with an
 * existing metadata Raft log, and what a proposer of either version reads back.
 */
class MetadataStateMachineTest {

    @TempDir
    Path dataDir;

    private TopicRegistry topics;
    private ProducerIds producerIds;
    private AclStore acls;
    private final List<String> hookCalls = new ArrayList<>();
    private MetadataStateMachine sm;
    private long index;

    @BeforeEach
    void open() {
        Binder binder = new Binder(new MapConfigurationPropertySource(Map.of(
                "ingest.data-dir", dataDir.toString(),
                "ingest.acl.bootstrap-acls", "false")));
        IngestProperties props = binder.bindOrCreate("ingest", IngestProperties.class);
        topics = new TopicRegistry(props);
        producerIds = new ProducerIds(props, new SimpleMeterRegistry());
        acls = new AclStore(props, binder.bindOrCreate("ingest.acl", AclProperties.class));
        sm = newStateMachine();
    }

    private MetadataStateMachine newStateMachine() {
        return new MetadataStateMachine(topics, producerIds, acls, new MetadataStateMachine.Hooks() {
            @Override
            public void topicReady(TopicRegistry.Topic topic) {
                hookCalls.add("ready " + topic.name());
            }

            @Override
            public void topicDeleting(TopicRegistry.Topic topic) {
                hookCalls.add("deleting " + topic.name());
            }

            @Override
            public void reassign(TopicRegistry.Topic topic, int partition,
                                 io.tributary.ingest.topic.PartitionAssignment assignment) {
                hookCalls.add("reassign " + topic.name() + "-" + partition + " " + assignment.replicas() + " "
                        + assignment.target());
                // stored as the cluster's hook stores it, so conditional commands see it
                java.util.List<io.tributary.ingest.topic.PartitionAssignment> all = new java.util.ArrayList<>();
                for (int p = 0; p < topic.partitions().size(); p++) {
                    io.tributary.ingest.topic.PartitionAssignment stored = topic.metadata().assignment(p);
                    all.add(p == partition ? assignment
                            : stored != null ? stored : io.tributary.ingest.topic.PartitionAssignment.of(List.of(1)));
                }
                topics.setAssignments(topic.name(), all);
            }

            @Override
            public void nodeAdded(ClusterPeers.Peer node) {
                hookCalls.add("add " + node);
            }

            @Override
            public void nodeRemoved(int nodeId) {
                hookCalls.add("remove " + nodeId);
            }

            @Override
            public void storageRegistered(int nodeId, String storageId) {
                hookCalls.add("storage " + nodeId + " " + storageId);
            }

            @Override
            public MetadataCodec.StorageAnswer storageOf(int nodeId) {
                return new MetadataCodec.StorageAnswer(nodeId == 3, nodeId == 3 ? "s-3" : null);
            }
        }, dataDir.resolve("raft-metadata-applied"));
    }

    @AfterEach
    void close() {
        topics.close();
    }

    /** Applies the next log entry; answers the reply message's text. */
    private String apply(String json) throws Exception {
        index++;
        LogEntryProto entry = LogEntryProto.newBuilder().setTerm(1).setIndex(index)
                .setStateMachineLogEntry(StateMachineLogEntryProto.newBuilder()
                        .setLogData(ByteString.copyFrom(json, StandardCharsets.UTF_8)))
                .build();
        TransactionContext trx = TransactionContext.newBuilder().setStateMachine(sm).setLogEntry(entry).build();
        return sm.applyTransaction(trx).get().getContent().toStringUtf8();
    }

    @Test
    void shouldApplyAStorageRegistrationAndAnswerTheStorageQueryFromItsState() throws Exception {
        assertThat(apply("{\"op\":\"register-storage\",\"name\":null,\"partitions\":0,\"replicationFactor\":0,"
                + "\"configs\":{},\"nodeId\":2,\"storageId\":\"s-2\"}")).isEqualTo("ok");
        assertThat(hookCalls).containsExactly("storage 2 s-2");
        assertThat(MetadataCodec.decodeStorageAnswer(sm.query(MetadataCodec.encodeStorageQuery(3)).get()))
                .isEqualTo(new MetadataCodec.StorageAnswer(true, "s-3"));
        assertThat(MetadataCodec.decodeStorageAnswer(sm.query(MetadataCodec.encodeStorageQuery(4)).get()))
                .isEqualTo(new MetadataCodec.StorageAnswer(false, null));
        assertThat(sm.query(org.apache.ratis.protocol.Message.valueOf("what?"))).isCompletedExceptionally();
    }

    @Test
    void shouldApplyTopicEntriesAsEarlierVersionsWroteThem() throws Exception {
        assertThat(apply("{\"op\":\"noop\",\"name\":\"node-2\",\"partitions\":0,\"replicationFactor\":0,"
                + "\"configs\":{}}")).isEqualTo("ok");
        // index 2: a create from before topic ids; the id is derived from the name and the index
        assertThat(apply("{\"op\":\"create\",\"name\":\"old\",\"partitions\":2,\"replicationFactor\":1,"
                + "\"configs\":{}}")).isEqualTo("ok");
        assertThat(topics.get("old").metadata().topicId()).isEqualTo(TopicIds.derived("old", 2));
        assertThat(topics.get("old").metadata().incarnation()).isEqualTo(2);
        assertThat(apply("{\"op\":\"create\",\"name\":\"raw.orders\",\"partitions\":3,\"replicationFactor\":1,"
                + "\"configs\":{\"retention.ms\":\"1000\"},\"topicId\":\"Xh2xEn1iQ3i2cB4Rh5xw2A\"}")).isEqualTo("ok");
        TopicRegistry.Topic orders = topics.get("raw.orders");
        assertThat(orders.metadata().topicId()).isEqualTo("Xh2xEn1iQ3i2cB4Rh5xw2A");
        assertThat(orders.partitions()).hasSize(3);
        assertThat(orders.metadata().configs()).containsEntry("retention.ms", "1000");
        assertThat(apply("{\"op\":\"create\",\"name\":\"raw.orders\",\"partitions\":1,\"replicationFactor\":1,"
                + "\"configs\":{},\"topicId\":\"AAAAAAAAAAAAAAAAAAAAAA\"}")).startsWith("exists:");
        assertThat(hookCalls).containsExactly("ready old", "ready raw.orders", "ready raw.orders");

        assertThat(apply("{\"op\":\"configs\",\"name\":\"raw.orders\",\"partitions\":0,\"replicationFactor\":0,"
                + "\"configs\":{\"retention.ms\":null,\"cleanup.policy\":\"compact\"}}")).isEqualTo("ok");
        assertThat(topics.get("raw.orders").metadata().configs()).isEqualTo(Map.of("cleanup.policy", "compact"));
        assertThat(apply("{\"op\":\"configs\",\"name\":\"raw.orders\",\"partitions\":0,\"replicationFactor\":0,"
                + "\"configs\":{\"retention.ms\":\"soon\"}}")).startsWith("invalid:");
        assertThat(apply("{\"op\":\"configs\",\"name\":\"missing\",\"partitions\":0,\"replicationFactor\":0,"
                + "\"configs\":{}}")).startsWith("unknown:");

        assertThat(apply("{\"op\":\"delete\",\"name\":\"old\",\"partitions\":0,\"replicationFactor\":0,"
                + "\"configs\":{}}")).isEqualTo("ok");
        assertThat(topics.exists("old")).isFalse();
        assertThat(hookCalls).endsWith("deleting old");
        assertThat(apply("{\"op\":\"delete\",\"name\":\"old\",\"partitions\":0,\"replicationFactor\":0,"
                + "\"configs\":{}}")).isEqualTo("unknown:topic old does not exist");
    }

    @Test
    void shouldHandOutABlockOfProducerIdsFromTheEntrysIndexAlone() throws Exception {
        String allocate = "{\"op\":\"allocate-producer-ids\",\"name\":null,\"partitions\":0,\"replicationFactor\":0,"
                + "\"configs\":{}}";
        String first = apply(allocate);
        long firstIndex = index;
        String anonymous = apply("{\"op\":\"init-producer\",\"name\":null,\"partitions\":0,\"replicationFactor\":0,"
                + "\"configs\":{}}");
        String second = apply(allocate);
        assertThat(first).isEqualTo("producer-ids:" + ((1L << 40) + firstIndex * 1000) + ":1000");
        assertThat(second).isEqualTo("producer-ids:" + ((1L << 40) + (firstIndex + 2) * 1000) + ":1000");
        // no state: the ids counted from 1 go on where they were, far below every block
        assertThat(anonymous).isEqualTo("producer:1:0");
        assertThat(apply("{\"op\":\"init-producer\",\"name\":null,\"partitions\":0,\"replicationFactor\":0,"
                + "\"configs\":{}}")).isEqualTo("producer:2:0");
    }

    @Test
    void shouldHandOutProducerIdentitiesAndApplyAclChangesAsBefore() throws Exception {
        String first = apply("{\"op\":\"init-producer\",\"name\":\"p1\",\"partitions\":0,\"replicationFactor\":0,"
                + "\"configs\":{}}");
        String again = apply("{\"op\":\"init-producer\",\"name\":\"p1\",\"partitions\":0,\"replicationFactor\":0,"
                + "\"configs\":{}}");
        String anonymous = apply("{\"op\":\"init-producer\",\"name\":null,\"partitions\":0,\"replicationFactor\":0,"
                + "\"configs\":{}}");
        assertThat(first).matches("producer:\\d+:0");
        assertThat(again).isEqualTo(first.substring(0, first.lastIndexOf(':')) + ":1");
        assertThat(anonymous).matches("producer:\\d+:0").isNotEqualTo(first);

        String binding = "{\"principal\":\"User:a\",\"resourceType\":\"TOPIC\",\"patternType\":\"PREFIXED\","
                + "\"name\":\"orders.\",\"operation\":\"READ\",\"permission\":\"ALLOW\"}";
        assertThat(apply("{\"op\":\"acl\",\"name\":null,\"partitions\":0,\"replicationFactor\":0,\"configs\":{},"
                + "\"acl\":{\"type\":\"create\",\"binding\":" + binding + "}}")).isEqualTo("acls:[" + binding + "]");
        assertThat(acls.stored()).hasSize(1);
        assertThat(apply("{\"op\":\"acl\",\"name\":null,\"partitions\":0,\"replicationFactor\":0,\"configs\":{},"
                + "\"acl\":{\"type\":\"delete\",\"filter\":{\"principal\":\"User:a\",\"resourceType\":null,"
                + "\"patternType\":null,\"name\":null,\"operation\":null,\"permission\":null,\"empty\":false}}}"))
                .isEqualTo("acls:[" + binding + "]");
        assertThat(acls.stored()).isEmpty();
    }

    @Test
    void shouldHandAReassignmentToTheHookOnlyForTheTopicItNames() throws Exception {
        apply("{\"op\":\"create\",\"name\":\"mv\",\"partitions\":2,\"replicationFactor\":1,\"configs\":{},"
                + "\"topicId\":\"Xh2xEn1iQ3i2cB4Rh5xw2A\"}");
        String reassign = "{\"op\":\"reassign\",\"name\":\"mv\",\"partitions\":0,\"replicationFactor\":0,"
                + "\"configs\":{},\"topicId\":\"%s\",\"partition\":%d,\"replicas\":[3,1,2],\"target\":[3,1]}";
        assertThat(apply(reassign.formatted("Xh2xEn1iQ3i2cB4Rh5xw2A", 1))).isEqualTo("ok");
        assertThat(hookCalls).endsWith("reassign mv-1 [3, 1, 2] [3, 1]");
        // a command meant for an earlier topic of that name, or a partition it does not have: refused everywhere
        assertThat(apply(reassign.formatted("AAAAAAAAAAAAAAAAAAAAAA", 1))).startsWith("unknown:");
        assertThat(apply(reassign.formatted("Xh2xEn1iQ3i2cB4Rh5xw2A", 2))).startsWith("unknown:");
        assertThat(apply(reassign.formatted("Xh2xEn1iQ3i2cB4Rh5xw2A", 0).replace("mv", "gone")))
                .startsWith("unknown:");
        assertThat(hookCalls).filteredOn(c -> c.startsWith("reassign")).hasSize(1);
    }

    @Test
    void shouldApplyAConditionalReassignmentOnlyWhileTheMoveItExpectsRuns() throws Exception {
        apply("{\"op\":\"create\",\"name\":\"mv\",\"partitions\":1,\"replicationFactor\":1,\"configs\":{},"
                + "\"topicId\":\"Xh2xEn1iQ3i2cB4Rh5xw2A\"}");
        String step = "{\"op\":\"reassign\",\"name\":\"mv\",\"partitions\":0,\"replicationFactor\":0,"
                + "\"configs\":{},\"topicId\":\"Xh2xEn1iQ3i2cB4Rh5xw2A\",\"partition\":0,%s}";
        String start = step.formatted("\"replicas\":[2,1],\"target\":[2],\"original\":[1],\"expectTarget\":[]");
        assertThat(apply(start)).isEqualTo("ok");
        assertThat(topics.get("mv").metadata().assignment(0).original()).containsExactly(1);
        // a second start while the first runs is refused
        assertThat(apply(start)).isEqualTo("conflict:mv-0 is moving to [2] (expected no move)");
        // a cancel (target and original swapped) comes first: the end of the move to [2] is refused after it
        assertThat(apply(step.formatted("\"replicas\":[1,2],\"target\":[1],\"original\":[2],\"expectTarget\":[2]")))
                .isEqualTo("ok");
        assertThat(apply(step.formatted("\"replicas\":[2],\"expectTarget\":[2]")))
                .isEqualTo("conflict:mv-0 is moving to [1] (expected a move to [2])");
        assertThat(apply(step.formatted("\"replicas\":[1],\"expectTarget\":[1]"))).isEqualTo("ok");
        assertThat(topics.get("mv").metadata().assignment(0)).isEqualTo(
                io.tributary.ingest.topic.PartitionAssignment.of(List.of(1)));
        // a cancel after the end: nothing runs
        assertThat(apply(step.formatted("\"replicas\":[1],\"target\":[2],\"original\":[1],\"expectTarget\":[1]")))
                .isEqualTo("conflict:mv-0 is not moving (expected a move to [1])");
        assertThat(hookCalls).filteredOn(c -> c.startsWith("reassign")).containsExactly(
                "reassign mv-0 [2, 1] [2]", "reassign mv-0 [1, 2] [1]", "reassign mv-0 [1] null");
    }

    @Test
    void shouldRefuseEntriesItCannotReadTheSameWayOnEveryNode() throws Exception {
        assertThat(apply("{\"op\":\"frobnicate\",\"name\":\"t\",\"partitions\":0,\"replicationFactor\":0,"
                + "\"configs\":{}}")).isEqualTo("invalid:unknown metadata command frobnicate");
        assertThat(apply("{\"op\":\"acl\",\"name\":null,\"partitions\":0,\"replicationFactor\":0,\"configs\":{}}"))
                .isEqualTo("invalid:acl command without a change");
        assertThat(apply("not json")).isEqualTo("invalid:unreadable metadata command");
        assertThat(apply("{\"op\":\"delete\",\"name\":\"t\"}")).isEqualTo("invalid:unreadable metadata command");
        // a field a later version might add is ignored
        assertThat(apply("{\"op\":\"noop\",\"name\":\"node-1\",\"partitions\":0,\"replicationFactor\":0,"
                + "\"configs\":{},\"since\":\"v2\"}")).isEqualTo("ok");
        assertThat(topics.list()).isEmpty();
    }

    @Test
    void shouldOnlyRepairGroupsWhenReplayingEntriesAppliedBeforeARestart() throws Exception {
        apply("{\"op\":\"create\",\"name\":\"t\",\"partitions\":1,\"replicationFactor\":1,\"configs\":{},"
                + "\"topicId\":\"Xh2xEn1iQ3i2cB4Rh5xw2A\"}");
        apply("{\"op\":\"configs\",\"name\":\"t\",\"partitions\":0,\"replicationFactor\":0,"
                + "\"configs\":{\"cleanup.policy\":\"compact\"}}");
        apply("{\"op\":\"configs\",\"name\":\"t\",\"partitions\":0,\"replicationFactor\":0,"
                + "\"configs\":{\"cleanup.policy\":\"delete\"}}");

        // restart: Ratis replays the log from the start
        sm = newStateMachine();
        index = 0;
        hookCalls.clear();
        assertThat(apply("{\"op\":\"create\",\"name\":\"t\",\"partitions\":1,\"replicationFactor\":1,\"configs\":{},"
                + "\"topicId\":\"Xh2xEn1iQ3i2cB4Rh5xw2A\"}")).isEqualTo("ok");
        assertThat(apply("{\"op\":\"configs\",\"name\":\"t\",\"partitions\":0,\"replicationFactor\":0,"
                + "\"configs\":{\"cleanup.policy\":\"compact\"}}")).isEqualTo("ok");
        assertThat(hookCalls).containsExactly("ready t");
        assertThat(topics.get("t").metadata().configs()).isEqualTo(Map.of("cleanup.policy", "delete"));
    }
}
