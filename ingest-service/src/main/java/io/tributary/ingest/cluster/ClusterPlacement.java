package io.tributary.ingest.cluster;

import io.tributary.ingest.config.IngestProperties;
import io.tributary.ingest.replication.ClusterPeers;
import io.tributary.ingest.topic.PartitionHosting;
import io.tributary.ingest.topic.TopicMetadata;
import org.springframework.stereotype.Component;

/**
 * Which partitions this node keeps a log of, from the peer list and the stored topic metadata
 * alone (it is needed before any Raft group starts, to open the logs): every partition on a
 * single node; on a cluster the partitions whose placement ({@link ClusterPeers#placement})
 * includes this node.
 */
@Component
public class ClusterPlacement implements PartitionHosting {

    private final ClusterPeers peers;
    private final int nodeId;

    public ClusterPlacement(IngestProperties props) {
        this.peers = ClusterPeers.parse(props.cluster().peers());
        this.nodeId = props.nodeId();
    }

    @Override
    public boolean hosts(TopicMetadata topic, int partition) {
        return peers.isEmpty() || peers.placement(topic, partition).contains(nodeId);
    }
}
