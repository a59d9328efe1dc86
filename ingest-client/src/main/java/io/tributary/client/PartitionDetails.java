package io.tributary.client;

import java.util.List;

/**
 * The state of one partition. Broker ids are kept as text so the client does not depend on
 * their numeric form.
 */
public record PartitionDetails(int partition, String leader, List<String> replicas, List<String> inSyncReplicas,
                               long logStartOffset, long highWatermark, long logEndOffset) {

    public PartitionDetails {
        replicas = List.copyOf(replicas);
        inSyncReplicas = List.copyOf(inSyncReplicas);
    }
}
