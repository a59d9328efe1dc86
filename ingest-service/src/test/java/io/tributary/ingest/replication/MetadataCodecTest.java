package io.tributary.ingest.replication;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.tributary.ingest.acl.AclBinding;
import io.tributary.ingest.acl.AclCommand;
import io.tributary.ingest.acl.AclFilter;
import io.tributary.ingest.acl.Operation;
import io.tributary.ingest.acl.PatternType;
import io.tributary.ingest.acl.Permission;
import io.tributary.ingest.acl.ResourceType;
import io.tributary.ingest.replication.MetadataCommand.ChangeAcls;
import io.tributary.ingest.replication.MetadataCommand.CreateTopic;
import io.tributary.ingest.replication.MetadataCommand.DeleteTopic;
import io.tributary.ingest.replication.MetadataCommand.InitProducer;
import io.tributary.ingest.replication.MetadataCommand.Noop;
import io.tributary.ingest.replication.MetadataCommand.AllocateProducerIds;
import io.tributary.ingest.replication.MetadataCommand.Reassign;
import io.tributary.ingest.replication.MetadataCommand.AddNode;
import io.tributary.ingest.replication.MetadataCommand.RegisterStorage;
import io.tributary.ingest.replication.MetadataCommand.RemoveNode;
import io.tributary.ingest.replication.MetadataCommand.UpdateConfigs;
import org.apache.ratis.protocol.Message;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The metadata log's JSON and the reply texts, held to what the string-based code before the
 * typed commands wrote (each string below was produced by it): every entry an older node wrote
 * decodes, and what this version writes is byte for byte what an older node would have written.
 */
class MetadataCodecTest {

    private static final AclBinding BINDING = new AclBinding("User:a", ResourceType.TOPIC, PatternType.PREFIXED,
            "orders.", Operation.READ, Permission.ALLOW);
    private static final String BINDING_JSON = "{\"principal\":\"User:a\",\"resourceType\":\"TOPIC\","
            + "\"patternType\":\"PREFIXED\",\"name\":\"orders.\",\"operation\":\"READ\",\"permission\":\"ALLOW\"}";

    private static Map<String, String> resetAndSet() {
        Map<String, String> changes = new LinkedHashMap<>();
        changes.put("retention.ms", "1000");
        changes.put("cleanup.policy", null);
        return changes;
    }

    /** One of every kind, with the JSON the earlier code wrote for it. */
    private static final Map<MetadataCommand, String> WRITTEN_BEFORE = Map.of(
            new CreateTopic("raw.orders", 3, 3, Map.of("retention.ms", "1000"), "Xh2xEn1iQ3i2cB4Rh5xw2A"),
            "{\"op\":\"create\",\"name\":\"raw.orders\",\"partitions\":3,\"replicationFactor\":3,"
                    + "\"configs\":{\"retention.ms\":\"1000\"},\"topicId\":\"Xh2xEn1iQ3i2cB4Rh5xw2A\"}",
            UpdateConfigs.of("t", resetAndSet()),
            "{\"op\":\"configs\",\"name\":\"t\",\"partitions\":0,\"replicationFactor\":0,"
                    + "\"configs\":{\"retention.ms\":\"1000\",\"cleanup.policy\":null}}",
            new DeleteTopic("t"),
            "{\"op\":\"delete\",\"name\":\"t\",\"partitions\":0,\"replicationFactor\":0,\"configs\":{}}",
            new Noop("node-2"),
            "{\"op\":\"noop\",\"name\":\"node-2\",\"partitions\":0,\"replicationFactor\":0,\"configs\":{}}",
            new InitProducer(null),
            "{\"op\":\"init-producer\",\"name\":null,\"partitions\":0,\"replicationFactor\":0,\"configs\":{}}",
            new InitProducer("p1"),
            "{\"op\":\"init-producer\",\"name\":\"p1\",\"partitions\":0,\"replicationFactor\":0,\"configs\":{}}",
            new ChangeAcls(new AclCommand.Create(BINDING)),
            "{\"op\":\"acl\",\"name\":null,\"partitions\":0,\"replicationFactor\":0,\"configs\":{},"
                    + "\"acl\":{\"type\":\"create\",\"binding\":" + BINDING_JSON + "}}",
            new ChangeAcls(new AclCommand.Delete(new AclFilter("User:a", null, null, null, null, null))),
            "{\"op\":\"acl\",\"name\":null,\"partitions\":0,\"replicationFactor\":0,\"configs\":{},"
                    + "\"acl\":{\"type\":\"delete\",\"filter\":{\"principal\":\"User:a\",\"resourceType\":null,"
                    + "\"patternType\":null,\"name\":null,\"operation\":null,\"permission\":null,\"empty\":false}}}");

    /**
     * Kinds and fields that appeared with moving replicas and adding nodes (and then a Kafka port for an
     * added node); these pin their format from then on.
     */
    private static final Map<MetadataCommand, String> WRITTEN_LATER = Map.of(
            new Reassign("mv", "Xh2xEn1iQ3i2cB4Rh5xw2A", 1, List.of(3, 1, 2), List.of(3, 1), null, null),
            "{\"op\":\"reassign\",\"name\":\"mv\",\"partitions\":0,\"replicationFactor\":0,\"configs\":{},"
                    + "\"topicId\":\"Xh2xEn1iQ3i2cB4Rh5xw2A\",\"partition\":1,\"replicas\":[3,1,2],\"target\":[3,1]}",
            new Reassign("mv", "Xh2xEn1iQ3i2cB4Rh5xw2A", 0, List.of(3, 1), null, null, null),
            "{\"op\":\"reassign\",\"name\":\"mv\",\"partitions\":0,\"replicationFactor\":0,\"configs\":{},"
                    + "\"topicId\":\"Xh2xEn1iQ3i2cB4Rh5xw2A\",\"partition\":0,\"replicas\":[3,1]}",
            new AddNode(new ClusterPeers.Peer(3, "ingest-3", 8081, 9081)),
            "{\"op\":\"add-node\",\"name\":null,\"partitions\":0,\"replicationFactor\":0,\"configs\":{},"
                    + "\"node\":{\"id\":3,\"host\":\"ingest-3\",\"httpPort\":8081,\"raftPort\":9081}}",
            new AddNode(new ClusterPeers.Peer(4, "ingest-4", 8081, 9081, 9092)),
            "{\"op\":\"add-node\",\"name\":null,\"partitions\":0,\"replicationFactor\":0,\"configs\":{},"
                    + "\"node\":{\"id\":4,\"host\":\"ingest-4\",\"httpPort\":8081,\"raftPort\":9081,"
                    + "\"kafkaPort\":9092}}",
            new RemoveNode(2),
            "{\"op\":\"remove-node\",\"name\":null,\"partitions\":0,\"replicationFactor\":0,\"configs\":{},"
                    + "\"nodeId\":2}",
            new CreateTopic("mv", 2, 2, Map.of(), "Xh2xEn1iQ3i2cB4Rh5xw2A", List.of(List.of(1, 2), List.of(2, 3))),
            "{\"op\":\"create\",\"name\":\"mv\",\"partitions\":2,\"replicationFactor\":2,\"configs\":{},"
                    + "\"topicId\":\"Xh2xEn1iQ3i2cB4Rh5xw2A\",\"assignment\":[[1,2],[2,3]]}",
            new RegisterStorage(3, "8d0c9a0e-4f5e-4a34-9d8c-3f1c2a7b6e10"),
            "{\"op\":\"register-storage\",\"name\":null,\"partitions\":0,\"replicationFactor\":0,\"configs\":{},"
                    + "\"nodeId\":3,\"storageId\":\"8d0c9a0e-4f5e-4a34-9d8c-3f1c2a7b6e10\"}");

    /** Since moves can be cancelled (a start conditional on no move, the end of that move) and producer-id blocks. */
    private static final Map<MetadataCommand, String> WRITTEN_LATEST = Map.of(
            new Reassign("mv", "Xh2xEn1iQ3i2cB4Rh5xw2A", 1, List.of(3, 1, 2), List.of(3, 1), List.of(1, 2), List.of()),
            "{\"op\":\"reassign\",\"name\":\"mv\",\"partitions\":0,\"replicationFactor\":0,\"configs\":{},"
                    + "\"topicId\":\"Xh2xEn1iQ3i2cB4Rh5xw2A\",\"partition\":1,\"replicas\":[3,1,2],\"target\":[3,1],"
                    + "\"original\":[1,2],\"expectTarget\":[]}",
            new Reassign("mv", "Xh2xEn1iQ3i2cB4Rh5xw2A", 1, List.of(3, 1), null, null, List.of(3, 1)),
            "{\"op\":\"reassign\",\"name\":\"mv\",\"partitions\":0,\"replicationFactor\":0,\"configs\":{},"
                    + "\"topicId\":\"Xh2xEn1iQ3i2cB4Rh5xw2A\",\"partition\":1,\"replicas\":[3,1],\"expectTarget\":[3,1]}",
            new AllocateProducerIds(),
            "{\"op\":\"allocate-producer-ids\",\"name\":null,\"partitions\":0,\"replicationFactor\":0,\"configs\":{}}");

    private static String encode(MetadataCommand command) {
        return new String(MetadataCodec.encode(command), StandardCharsets.UTF_8);
    }

    private static MetadataCommand decode(String json) throws MetadataCodec.MalformedCommandException {
        return MetadataCodec.decode(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldWriteEveryKindExactlyAsBefore() {
        WRITTEN_BEFORE.forEach((command, json) -> assertThat(encode(command)).as("%s", command).isEqualTo(json));
        WRITTEN_LATER.forEach((command, json) -> assertThat(encode(command)).as("%s", command).isEqualTo(json));
        WRITTEN_LATEST.forEach((command, json) -> assertThat(encode(command)).as("%s", command).isEqualTo(json));
    }

    @Test
    void shouldReadEveryKindAnEarlierVersionWrote() throws Exception {
        for (Map.Entry<MetadataCommand, String> e : WRITTEN_BEFORE.entrySet()) {
            assertThat(decode(e.getValue())).isEqualTo(e.getKey());
        }
        for (Map.Entry<MetadataCommand, String> e : WRITTEN_LATER.entrySet()) {
            assertThat(decode(e.getValue())).isEqualTo(e.getKey());
        }
        for (Map.Entry<MetadataCommand, String> e : WRITTEN_LATEST.entrySet()) {
            assertThat(decode(e.getValue())).isEqualTo(e.getKey());
        }
        assertThat(decode("{\"op\":\"create\",\"name\":\"old\",\"partitions\":2,\"replicationFactor\":1,"
                + "\"configs\":{}}")).isEqualTo(new CreateTopic("old", 2, 1, Map.of(), null));
    }

    @Test
    void shouldHaveAFixtureForEveryKind() {
        assertThat(java.util.stream.Stream.of(WRITTEN_BEFORE, WRITTEN_LATER, WRITTEN_LATEST)
                .flatMap(m -> m.keySet().stream())
                .map(Object::getClass).distinct())
                .containsExactlyInAnyOrderElementsOf(Arrays.asList(MetadataCommand.class.getPermittedSubclasses()));
        assertThat(Arrays.stream(MetadataReply.class.getPermittedSubclasses()).map(Class::getSimpleName))
                .containsExactlyInAnyOrder("Ok", "Exists", "Conflict", "Invalid", "Unknown", "ProducerIdentity",
                        "ProducerIdBlock", "Acls");
    }

    @Test
    void shouldDrawATopicIdForANewCreateAndKeepItOutOfOtherKinds() {
        CreateTopic create = CreateTopic.withNewId("t", 1, 1, Map.of(), List.of(List.of(2)));
        assertThat(create.topicId()).isNotBlank();
        assertThat(encode(create)).endsWith(",\"topicId\":\"" + create.topicId() + "\",\"assignment\":[[2]]}")
                .doesNotContain("acl");
        WRITTEN_BEFORE.forEach((command, json) -> {
            if (!(command instanceof CreateTopic)) {
                assertThat(json).doesNotContain("topicId");
            }
        });
    }

    @Test
    void shouldRefuseWhatItCannotReadWithAFixedDetail() {
        assertThatThrownBy(() -> decode("{\"op\":\"frobnicate\",\"name\":\"t\",\"partitions\":0,"
                + "\"replicationFactor\":0,\"configs\":{}}"))
                .isInstanceOf(MetadataCodec.MalformedCommandException.class)
                .hasMessage("unknown metadata command frobnicate");
        assertThatThrownBy(() -> decode("{\"name\":\"t\",\"partitions\":0,\"replicationFactor\":0}"))
                .hasMessage("unknown metadata command null");
        assertThatThrownBy(() -> decode("{\"op\":\"acl\",\"name\":null,\"partitions\":0,\"replicationFactor\":0,"
                + "\"configs\":{}}")).hasMessage("acl command without a change");
        assertThatThrownBy(() -> decode("{\"op\":\"reassign\",\"name\":\"t\",\"partitions\":0,\"replicationFactor\":0,"
                + "\"configs\":{},\"partition\":0}")).hasMessage("reassign command without a partition or replicas");
        assertThatThrownBy(() -> decode("{\"op\":\"reassign\",\"name\":\"t\",\"partitions\":0,\"replicationFactor\":0,"
                + "\"configs\":{},\"replicas\":[1]}")).hasMessage("reassign command without a partition or replicas");
        for (String unreadable : List.of("not json", "null", "{\"op\":\"delete\",\"name\":\"t\"}",
                "{\"op\":\"delete\",\"name\":\"t\",\"partitions\":0,\"replicationFactor\":0} x")) {
            assertThatThrownBy(() -> decode(unreadable)).as(unreadable)
                    .isInstanceOf(MetadataCodec.MalformedCommandException.class)
                    .hasMessage("unreadable metadata command");
        }
    }

    @Test
    void shouldRefuseAStorageRegistrationWithoutItsIds() {
        assertThatThrownBy(() -> decode("{\"op\":\"register-storage\",\"name\":null,\"partitions\":0,"
                + "\"replicationFactor\":0,\"configs\":{},\"nodeId\":3}"))
                .hasMessage("register-storage command without a node id or storage id");
        assertThatThrownBy(() -> decode("{\"op\":\"register-storage\",\"name\":null,\"partitions\":0,"
                + "\"replicationFactor\":0,\"configs\":{},\"storageId\":\"x\"}"))
                .hasMessage("register-storage command without a node id or storage id");
    }

    @Test
    void shouldWriteAndReadTheStorageQueryAndItsAnswer() {
        Message query = MetadataCodec.encodeStorageQuery(3);
        assertThat(query.getContent().toStringUtf8()).isEqualTo("{\"query\":\"storage-of\",\"nodeId\":3}");
        assertThat(MetadataCodec.decodeStorageQuery(query)).hasValue(3);
        assertThat(MetadataCodec.decodeStorageQuery(Message.valueOf("{\"query\":\"other\",\"nodeId\":3}"))).isEmpty();
        assertThat(MetadataCodec.decodeStorageQuery(Message.valueOf("ok"))).isEmpty();

        MetadataCodec.StorageAnswer known = new MetadataCodec.StorageAnswer(true, "8d0c9a0e-4f5e-4a34-9d8c-3f1c2a7b6e10");
        Message answer = MetadataCodec.encodeStorageAnswer(known);
        assertThat(answer.getContent().toStringUtf8())
                .isEqualTo("{\"member\":true,\"storageId\":\"8d0c9a0e-4f5e-4a34-9d8c-3f1c2a7b6e10\"}");
        assertThat(MetadataCodec.decodeStorageAnswer(answer)).isEqualTo(known);
        MetadataCodec.StorageAnswer unknown = new MetadataCodec.StorageAnswer(false, null);
        assertThat(MetadataCodec.encodeStorageAnswer(unknown).getContent().toStringUtf8()).isEqualTo("{\"member\":false}");
        assertThat(MetadataCodec.decodeStorageAnswer(MetadataCodec.encodeStorageAnswer(unknown))).isEqualTo(unknown);
    }

    @Test
    void shouldIgnoreFieldsItDoesNotKnow() throws Exception {
        assertThat(decode("{\"op\":\"delete\",\"name\":\"t\",\"partitions\":0,\"replicationFactor\":0,"
                + "\"configs\":{},\"since\":2}")).isEqualTo(new DeleteTopic("t"));
    }

    @Test
    void shouldWriteAndReadRepliesInTheTextFormat() {
        Map<MetadataReply, String> replies = Map.of(
                MetadataReply.OK, "ok",
                new MetadataReply.Exists("topic t already exists"), "exists:topic t already exists",
                new MetadataReply.Conflict("mv-1 is not moving"), "conflict:mv-1 is not moving",
                new MetadataReply.Invalid("bad: value"), "invalid:bad: value",
                new MetadataReply.Unknown("topic t does not exist"), "unknown:topic t does not exist",
                new MetadataReply.ProducerIdentity(4000000001L, (short) 7), "producer:4000000001:7",
                new MetadataReply.ProducerIdBlock(1099511727776L, 1000), "producer-ids:1099511727776:1000",
                new MetadataReply.Acls(List.of(BINDING)), "acls:[" + BINDING_JSON + "]",
                new MetadataReply.Acls(List.of()), "acls:[]");
        replies.forEach((reply, text) -> {
            assertThat(MetadataCodec.encodeReply(reply).getContent().toStringUtf8()).isEqualTo(text);
            assertThat(MetadataCodec.decodeReply(Message.valueOf(text))).isEqualTo(reply);
        });
        assertThatThrownBy(() -> MetadataCodec.decodeReply(Message.valueOf("maybe")))
                .isInstanceOf(IllegalStateException.class);
    }
}
