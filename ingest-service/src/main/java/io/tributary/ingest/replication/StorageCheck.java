package io.tributary.ingest.replication;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The check {@link StorageGuard} describes, for a node whose data folder is fresh: asks every other
 * member, all at once, what its applied metadata knows of this node's storage (a Ratis stale read of
 * the metadata group with no minimum index, so it needs no leader, no majority and no commit), decides on the answers, and asks again
 * every second until it can. Runs on a thread of its own; the node's Raft server is already up (with
 * no group), so fresh peers checking at the same time answer each other.
 */
final class StorageCheck implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(StorageCheck.class);
    private static final long ANSWER_WAIT_MS = 2000;
    private static final long ROUND_PAUSE_MS = 1000;
    private static final long LOG_EVERY_MS = 15_000;
    /**
     * The stale read's minimum commit index: none. With 0, Ratis refuses the read on a member whose
     * metadata log has nothing committed yet (index -1): every member of a cluster being founded
     * before its first election, so a node started first would wait for a majority of the others,
     * forever where only a bare majority is up. The answer comes from the registrations a node keeps
     * on disk ({@code cluster-members.json}), which need no committed entry.
     */
    private static final long NO_MIN_INDEX = -1;

    private final int self;
    private final String storageId;
    private final List<ClusterPeers.Peer> peers;
    private final Function<ClusterPeers.Peer, RaftClient> clientOf;
    private final StorageGuard guard;
    private final Runnable onPass;
    private final Runnable onRefuse;
    private volatile boolean stopped;
    /** Runs the blocking queries of a round, one per peer. */
    private final ExecutorService askers;

    /**
     * @param peers    the members to ask (this node left out)
     * @param clientOf a client of the metadata group with one peer, no retries
     * @param onPass   run once passed (the guard admits joins by then): this node joins; the node is
     *                 ready when it returns
     * @param onRefuse run once refused: this node's Raft server stops
     */
    StorageCheck(int self, String storageId, List<ClusterPeers.Peer> peers,
                 Function<ClusterPeers.Peer, RaftClient> clientOf, StorageGuard guard, Runnable onPass,
                 Runnable onRefuse) {
        this.self = self;
        this.storageId = storageId;
        this.peers = List.copyOf(peers);
        this.clientOf = clientOf;
        this.guard = guard;
        this.onPass = onPass;
        this.onRefuse = onRefuse;
        this.askers = Executors.newFixedThreadPool(Math.max(1, this.peers.size()),
                Thread.ofPlatform().name("raft-storage-ask").daemon().factory());
    }

    void stop() {
        stopped = true;
        askers.shutdownNow();
    }

    @Override
    public void run() {
        try {
            check();
        } finally {
            askers.shutdownNow();
        }
    }

    /** Asks until the guard can decide; the guard was told it is checking before this runs. */
    private void check() {
        long lastLog = System.nanoTime();
        while (!stopped) {
            StorageGuard.Verdict verdict = StorageGuard.decide(self, storageId, askAll());
            if (verdict instanceof StorageGuard.Verdict.Refuse r) {
                guard.refuse(r.why());
                onRefuse.run();
                return;
            }
            if (verdict instanceof StorageGuard.Verdict.Pass p) {
                guard.admit(p.why());
                onPass.run();
                guard.joined();
                return;
            }
            if (System.nanoTime() - lastLog > TimeUnit.MILLISECONDS.toNanos(LOG_EVERY_MS)) {
                log.warn("this node's data folder is empty and no peer has answered yet: it waits to join until one"
                        + " confirms the folder is new to the cluster (a lost disk must not rejoin under its old id)");
                lastLog = System.nanoTime();
            }
            try {
                Thread.sleep(ROUND_PAUSE_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One round: every peer asked at once; those that have not answered in time are left out. */
    private List<StorageGuard.PeerAnswer> askAll() {
        List<RaftClient> clients = new ArrayList<>();
        List<CompletableFuture<StorageGuard.PeerAnswer>> pending = new ArrayList<>();
        for (ClusterPeers.Peer peer : peers) {
            RaftClient client = clientOf.apply(peer);
            clients.add(client);
            // The blocking API, one call per thread: a stale read through the async API goes through
            // Ratis's ordered client, which a follower answers "not leader" on a new stream.
            pending.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return answerOf(peer.id(), client.io().sendStaleRead(MetadataCodec.encodeStorageQuery(self),
                            NO_MIN_INDEX, PartitionGroups.peerId(peer.id())), null);
                } catch (IOException | RuntimeException e) {
                    return answerOf(peer.id(), null, e);
                }
            }, askers));
        }
        List<StorageGuard.PeerAnswer> answers = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ANSWER_WAIT_MS);
        for (CompletableFuture<StorageGuard.PeerAnswer> f : pending) {
            try {
                StorageGuard.PeerAnswer a = f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (a != null) {
                    answers.add(a);
                }
            } catch (TimeoutException | ExecutionException e) {
                // no answer from this peer in this round
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        clients.forEach(RaftNode::closeQuietly);
        return answers;
    }

    /** A peer's answer, or null when it gave none (down, starting, or of a version without queries). */
    private static StorageGuard.PeerAnswer answerOf(int peer, RaftClientReply reply, Throwable error) {
        Throwable failure = error != null ? error : reply.isSuccess() ? null : reply.getException();
        if (failure != null) {
            for (Throwable t = failure; t != null; t = t.getCause()) {
                if (t instanceof GroupMismatchException) {
                    return StorageGuard.PeerAnswer.noMetadata(peer);
                }
            }
            log.debug("node {} gave no storage answer: {}", peer, failure.toString());
            return null;
        }
        try {
            MetadataCodec.StorageAnswer a = MetadataCodec.decodeStorageAnswer(reply.getMessage());
            return new StorageGuard.PeerAnswer(peer, true, a.member(), a.storageId());
        } catch (RuntimeException e) {
            log.debug("node {} answered the storage query with something else", peer, e);
            return null;
        }
    }
}
