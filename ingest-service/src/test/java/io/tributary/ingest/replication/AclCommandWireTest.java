package io.tributary.ingest.replication;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.tributary.ingest.acl.AclBinding;
import io.tributary.ingest.acl.AclCommand;
import io.tributary.ingest.acl.AclFilter;
import io.tributary.ingest.acl.Operation;
import io.tributary.ingest.acl.PatternType;
import io.tributary.ingest.acl.Permission;
import io.tributary.ingest.acl.ResourceType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The metadata log's JSON for ACL changes, and that other entries are written as before. */
class AclCommandWireTest {

    private static TopicCommand roundTrip(TopicCommand cmd) {
        return MetadataStateMachine.JSON.readValue(MetadataStateMachine.encode(cmd), TopicCommand.class);
    }

    @Test
    void aclChangesRoundTripThroughTheMetadataLog() {
        AclBinding b = new AclBinding("User:a", ResourceType.TOPIC, PatternType.PREFIXED, "orders.", Operation.READ,
                Permission.ALLOW);
        TopicCommand create = TopicCommand.acl(new AclCommand.Create(b));
        String json = new String(MetadataStateMachine.encode(create), StandardCharsets.UTF_8);
        assertThat(json).contains("\"op\":\"acl\"", "\"type\":\"create\"", "\"patternType\":\"PREFIXED\"");
        assertThat(roundTrip(create)).isEqualTo(create);

        TopicCommand delete = TopicCommand.acl(new AclCommand.Delete(
                new AclFilter("User:a", null, null, null, null, null)));
        assertThat(roundTrip(delete)).isEqualTo(delete);
    }

    @Test
    void otherEntriesCarryNoAclFieldAndOldEntriesStillRead() {
        TopicCommand create = TopicCommand.create("t", 1, 1, Map.of());
        assertThat(new String(MetadataStateMachine.encode(create), StandardCharsets.UTF_8)).doesNotContain("acl");
        TopicCommand old = MetadataStateMachine.JSON.readValue(
                "{\"op\":\"delete\",\"name\":\"t\",\"partitions\":0,\"replicationFactor\":0,\"configs\":{}}",
                TopicCommand.class);
        assertThat(old).isEqualTo(TopicCommand.delete("t"));
    }
}
