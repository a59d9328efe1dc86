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

    private static MetadataCommand roundTrip(MetadataCommand cmd) throws Exception {
        return MetadataCodec.decode(MetadataCodec.encode(cmd));
    }

    @Test
    void aclChangesRoundTripThroughTheMetadataLog() throws Exception {
        AclBinding b = new AclBinding("User:a", ResourceType.TOPIC, PatternType.PREFIXED, "orders.", Operation.READ,
                Permission.ALLOW);
        MetadataCommand create = new MetadataCommand.ChangeAcls(new AclCommand.Create(b));
        String json = new String(MetadataCodec.encode(create), StandardCharsets.UTF_8);
        assertThat(json).contains("\"op\":\"acl\"", "\"type\":\"create\"", "\"patternType\":\"PREFIXED\"");
        assertThat(roundTrip(create)).isEqualTo(create);

        MetadataCommand delete = new MetadataCommand.ChangeAcls(new AclCommand.Delete(
                new AclFilter("User:a", null, null, null, null, null)));
        assertThat(roundTrip(delete)).isEqualTo(delete);
    }

    @Test
    void otherEntriesCarryNoAclFieldAndOldEntriesStillRead() throws Exception {
        MetadataCommand create = MetadataCommand.CreateTopic.withNewId("t", 1, 1, Map.of(), java.util.List.of(java.util.List.of(1)));
        assertThat(new String(MetadataCodec.encode(create), StandardCharsets.UTF_8)).doesNotContain("acl");
        MetadataCommand old = MetadataCodec.decode(
                "{\"op\":\"delete\",\"name\":\"t\",\"partitions\":0,\"replicationFactor\":0,\"configs\":{}}"
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(old).isEqualTo(new MetadataCommand.DeleteTopic("t"));
    }
}
