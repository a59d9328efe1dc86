package io.tributary.ingest.replication;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Conditional;
import org.springframework.stereotype.Component;

/**
 * Commits a {@code register-storage} entry for this node's data folder on every start, once
 * {@link StorageGuard} let the node in, trying again every two seconds until it is committed (a
 * cluster being founded has no metadata leader for a while). The cluster then recognises this node
 * if it ever comes back with an empty folder.
 *
 * <p>The entry has a second purpose. Observed with Ratis 3.2.0: a follower that comes back with an
 * empty log got only heartbeats from an idle metadata leader ("INCONSISTENCY, nextIndex 0" in a loop)
 * and never its entries; a new entry makes the leader's appender send the log from the follower's
 * next index. (This entry replaced the no-op that used to be sent for that alone.)
 */
@Component
@Conditional(ReplicationEnabledCondition.class)
class StorageRegistration {

    private static final Logger log = LoggerFactory.getLogger(StorageRegistration.class);
    private static final long RETRY_MS = 2000;

    private final ExecutorService worker = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("raft-storage-registration").daemon().factory());

    StorageRegistration(RaftNode node, Proposals proposals, PartitionGroups groups, NodeStorage storage,
                        StorageGuard guard) {
        byte[] entry = MetadataCodec.encode(new MetadataCommand.RegisterStorage(groups.nodeId(), storage.id()));
        guard.passed().thenRunAsync(() -> {
            for (int attempt = 1; !Thread.currentThread().isInterrupted(); attempt++) {
                try {
                    proposals.send(node::metadataClient, entry, "register storage");
                    log.info("registered this node's storage {}", storage.id());
                    return;
                } catch (RuntimeException e) {
                    if (attempt == 1 || attempt % 15 == 0) {
                        log.info("storage registration not committed yet ({}); trying again", e.getMessage());
                    }
                }
                try {
                    TimeUnit.MILLISECONDS.sleep(RETRY_MS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, worker);
    }

    @PreDestroy
    void close() {
        worker.shutdownNow();
    }
}
