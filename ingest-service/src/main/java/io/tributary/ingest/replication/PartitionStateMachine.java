package io.tributary.ingest.replication;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.tributary.ingest.log.AppendResult;
import io.tributary.ingest.log.AtomicFiles;
import io.tributary.ingest.log.BatchRegion;
import io.tributary.ingest.log.FetchResult;
import io.tributary.ingest.log.OffsetOutOfRangeException;
import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.replication.fetch.ReplicaProgress;
import io.tributary.ingest.log.RecordBatch;
import io.tributary.ingest.topic.TopicPartition;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of one partition's Raft group: every committed entry holds encoded record
 * batches, appended to this node's {@link PartitionLog} when Ratis applies it. The log therefore
 * holds committed data only, and every replica assigns the same offsets because it applies the
 * same entries in the same order; the idempotent-producer checks run here too, against the
 * same producer state everywhere.
 *
 * <p>Entry: one or more encoded record batches back to back (group commit, {@link GroupCommit}),
 * each possibly framed with the {@code Idempotency-Key} of its request ({@link KeyedBatch});
 * each is applied on its own, in order, and the reply holds one {@link ApplyReply} per batch. A
 * batch whose key this replica's {@link KeyMemory} holds is not appended: it is answered with the
 * offsets the key's first batch got (a duplicate), or refused when the key came with another body.
 *
 * <p>Snapshot: flush the log and record {@code (term, index) -> offset after the last applied
 * batch} in a small file, and the key memory of that moment beside it
 * ({@code snapshot.<term>_<index>.keys}, layout in {@link KeyMemory}, written atomically before
 * the snapshot file, so a snapshot file always has its memory; a snapshot of a version before
 * replicated keys has none and loads an empty memory). Ratis may then purge its own log up to
 * that index. Keys learnt outside Raft entries (written directly or fetched) are also appended to
 * the replica's {@link KeyJournal} as they come; a load restores the records the snapshot's memory
 * does not hold, each at the point of the replay it was learnt at, and a snapshot cuts the journal
 * back to what its memory does not hold.
 *
 * <p>Restart: Ratis replays the entries after the latest snapshot, but the partition log may
 * already hold some of them (everything written before the stop, not only what the snapshot
 * covered). Apply is made idempotent without a new field in the batch format: while replaying
 * below the log end found at start, an entry whose batch is byte-identical (apart from base
 * offset and leader epoch) to the stored batch at the replay cursor is that batch, and the
 * cursor moves past it; any other entry was refused or a duplicate when first applied (the log
 * is a prefix of the applied entries, and apply is deterministic), so it is skipped again.
 *
 * <p>Direct writes ({@link ModeEntry}, docs/replication.md "Partitions with one replica"): after a
 * {@code DIRECT} entry the group's only member appends produced batches to its log itself
 * ({@link #appendDirect}) and refuses batches that arrive as Raft entries; a {@code REPLICATED}
 * entry ends that, and the replay cursor resumes at the log end it names. The mode is part of the
 * snapshot file ({@code "<offset>"}, {@code "<offset> direct"}, {@code "<offset> fetch"} or, once an
 * {@link InSyncEntry} named the in-sync replicas, {@code "<offset> fetch isr=<id>,<id>..."}).
 */
final class PartitionStateMachine extends MemberStateMachine {

    private static final Logger log = LoggerFactory.getLogger(PartitionStateMachine.class);

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final int COPY_CHUNK_BYTES = 4 << 20;

    private final TopicPartition tp;
    private final PartitionLog partitionLog;
    private final IntFunction<String> httpBaseOf;
    /** Told when an apply fails for a reason other than the batch itself (storage): see {@link FailedReplicas}. */
    private final Consumer<Throwable> onStorageFailure;
    /** This node's credentials for the peers' internal endpoints (a Node token). */
    private final Supplier<String> authorization;
    /** The node-wide rate of copies from leaders, and their byte counter. */
    private final ReplicaCopyThrottle copyThrottle;
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    /** Idempotency-Key memory as of the last applied entry; replaced at load. */
    private volatile KeyMemory keys = new KeyMemory();
    /** The keys learnt outside Raft entries since the latest snapshot ({@link #restoreJournal}); opened at load. */
    private KeyJournal journal;
    /**
     * Journal records read at load that were learnt after a Raft entry not replayed yet: each goes into the
     * memory once that entry is applied again. Changed under the memory's lock.
     */
    private final ConcurrentLinkedDeque<KeyJournal.Entry> journalPending = new ConcurrentLinkedDeque<>();
    /** Latest snapshot of this replica: (term, index) and the offset after its last batch; null if none. */
    private volatile SnapshotPoint snapshotPoint;

    /**
     * Where a snapshot points: Raft (term, index) -> partition-log offset after the last applied batch,
     * and how the partition was written at that point ({@code mode}: empty, {@code "direct"},
     * {@code "fetch"} or {@code "fetch isr=<id>,..."}, as in the snapshot file). A replica that copies
     * the leader's log up to the point takes its mode too: the entries after the point (an in-sync
     * set, the next switch) mean something only in that mode.
     */
    record SnapshotPoint(long term, long index, long offset, String mode) {
        SnapshotPoint(long term, long index, long offset) {
            this(term, index, offset, "");
        }

        /** {@code "<term> <index> <offset>[ <mode>]"}; a node of an earlier version reads the first three. */
        String encode() {
            return term + " " + index + " " + offset + (mode.isEmpty() ? "" : " " + mode);
        }

        static SnapshotPoint decode(String s) {
            String[] f = s.trim().split(" ", 4);
            return new SnapshotPoint(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]),
                    f.length > 3 ? f[3].trim() : "");
        }
    }

    /** True after a DIRECT or FETCH mode entry was applied, false after a REPLICATED one (see {@link ModeEntry}). */
    private volatile boolean direct;
    /**
     * True after a FETCH mode entry was applied (false after DIRECT or REPLICATED): the leader appends,
     * the followers fetch, and replication moves the high watermark ({@link PartitionLog#highWatermarkByReplication}).
     */
    private volatile boolean fetched;
    /**
     * While FETCH: the replicas in sync as the latest {@link InSyncEntry} recorded them (the leader
     * among them), ascending; null when every replica is (no entry since the switch).
     */
    private volatile List<Integer> inSyncReplicas;
    /** The leader's view of its followers in the term it leads in ({@link #progress}); guarded by progressLock. */
    private ReplicaProgress progress;
    private long progressTerm = -1;
    /** The leader's count of its in-sync proposals in progressTerm ({@link #nextInSyncSequence}). */
    private int inSyncSequence;
    /** Not directLock: a follower's fetch must not wait for a direct append. */
    private final Object progressLock = new Object();
    /** Whether the latest snapshot was taken after the latest mode switch this replica applied. */
    private volatile boolean snapshotAfterSwitch;
    /** Set by the leader about to propose a REPLICATED entry: no direct append starts any more. */
    private volatile boolean sealing;
    /** Stops of direct appends on this node ({@link #seal}); a DIRECT entry naming the latest one resumes them. */
    private long seals;
    /** Held by a direct append, the apply of a mode entry and a snapshot's reading of the log end. */
    private final Object directLock = new Object();

    /** Log end found at start: entries whose batches lie below it are already stored. */
    private long replayEnd;
    /** Offset after the last applied entry's batch (the high watermark this group vouches for). */
    private volatile long appliedEnd;
    /** The key memory and its change count as the last snapshot wrote them, and when (System.nanoTime). */
    private volatile KeyMemory keysAtSnapshot;
    private volatile long keyChangesAtSnapshot;
    private volatile long snapshotAt = System.nanoTime();
    /** When this replica last became its group's ready leader (System.nanoTime); 0 while it does not lead. */
    private volatile long leaderReadyAt;
    /** The last other node this replica knew as its group's leader; -1 before one (InSyncReplicas, a term's start). */
    private volatile int previousLeader = -1;

    PartitionStateMachine(TopicPartition tp, PartitionLog log, IntFunction<String> httpBaseOf,
                          Supplier<String> authorization, Consumer<Throwable> onStorageFailure,
                          ReplicaCopyThrottle copyThrottle) {
        this.onStorageFailure = onStorageFailure;
        this.copyThrottle = copyThrottle;
        this.authorization = authorization;
        this.tp = tp;
        this.partitionLog = log;
        this.httpBaseOf = httpBaseOf;
        log.limitCleanup(0); // until load() knows the snapshot point
    }

    PartitionLog partitionLog() {
        return partitionLog;
    }

    @Override
    public void notifyLeaderReady() {
        leaderReadyAt = System.nanoTime();
    }

    @Override
    public void notifyNotLeader(Collection<TransactionContext> pendingEntries) {
        leaderReadyAt = 0;
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId member, RaftPeerId newLeader) {
        if (newLeader != null && !newLeader.equals(member.getPeerId())) {
            previousLeader = Integer.parseInt(newLeader.toString());
        }
    }

    /**
     * The last node other than this one that this replica knew as its group's leader (-1: none since it started):
     * once this node leads, its predecessor, unless another led a term this node did not hear of.
     */
    int previousLeader() {
        return previousLeader;
    }

    /**
     * For a replica written without Raft entries (by its leader and fetched, or directly): whether a snapshot is
     * due. Few Raft entries come on these paths, so Ratis's count of entries rarely takes one. What a snapshot then
     * saves: the {@code Idempotency-Key} memory, so that the key journal is cut back (the log and its producer
     * state are recovered from disk), and on a fetched replica a high watermark that starts at the snapshot point
     * after a restart. Due when the key memory changed, or a fetched replica's high watermark moved {@code offsets}
     * past the snapshot point, and {@code interval} has passed since the last.
     */
    boolean snapshotWithoutEntriesDue(long offsets, Duration interval) {
        if (!direct || System.nanoTime() - snapshotAt < interval.toNanos()) {
            return false;
        }
        KeyMemory memory = keys;
        SnapshotPoint point = snapshotPoint;
        return memory != keysAtSnapshot || memory.changes() != keyChangesAtSnapshot
                || fetched && partitionLog.highWatermark() - (point == null ? 0 : point.offset()) >= offsets;
    }

    /**
     * Whether a Raft entry was applied here after the latest snapshot's index. Ratis takes no snapshot without one
     * (it answers a request for one with the latest), so a replica written without entries needs one first.
     */
    boolean entryAppliedSinceSnapshot() {
        TermIndex applied = getLastAppliedTermIndex();
        SnapshotInfo latest = getLatestSnapshot();
        return applied != null && (latest == null || applied.getIndex() > latest.getIndex());
    }

    /** Whether this replica became its group's ready leader less than {@code time} ago (and still leads). */
    boolean leaderReadyLessThan(Duration time) {
        long at = leaderReadyAt;
        return at != 0 && System.nanoTime() - at < time.toNanos();
    }

    SnapshotPoint snapshotPoint() {
        return snapshotPoint;
    }

    TopicPartition topicPartition() {
        return tp;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        load();
    }

    /** Loads the latest snapshot (if any) and the log end: where apply resumes. */
    private void load() throws IOException {
        appliedEnd = 0;
        direct = false;
        fetched = false;
        inSyncReplicas = null;
        snapshotAfterSwitch = true; // replay starts from the snapshot's own mode
        synchronized (directLock) {
            sealing = false;
            seals = 0;
        }
        snapshotPoint = null;
        keys = new KeyMemory();
        SingleFileSnapshotInfo snapshot = storage.getLatestSnapshot();
        if (snapshot != null) {
            File file = snapshot.getFile().getPath().toFile();
            MD5Hash md5 = snapshot.getFile().getFileDigest();
            if (md5 != null) {
                MD5FileUtil.verifySavedMD5(file, md5);
            }
            String[] fields = Files.readString(file.toPath(), StandardCharsets.UTF_8).trim().split(" ", 2);
            appliedEnd = Long.parseLong(fields[0]);
            String mode = fields.length > 1 ? fields[1].trim() : "";
            takeMode(mode);
            keys = readKeys(file.toPath(), snapshot.getTerm(), snapshot.getIndex());
            setLastAppliedTermIndex(snapshot.getTermIndex());
            snapshotPoint = new SnapshotPoint(snapshot.getTerm(), snapshot.getIndex(), appliedEnd, mode);
        }
        restoreJournal(snapshot == null ? -1 : snapshot.getIndex());
        // Entries after the snapshot are replayed against the stored batches: those must stay as written
        // (while written directly, no entry is matched against them until a REPLICATED one moves the cursor).
        partitionLog.limitCleanup(direct ? Long.MAX_VALUE : appliedEnd);
        if (fetched) {
            // What the snapshot vouched for; the leader's answers take it up again (a leader's, its followers').
            partitionLog.highWatermarkByReplication(appliedEnd);
        } else {
            partitionLog.highWatermarkByAppends(); // also after a copy replaced a fetched replica's log
        }
        // The producer state at the snapshot point is what a peer rebuilding by copy asks for.
        partitionLog.keepProducerSnapshot(snapshot == null ? -1 : appliedEnd);
        replayEnd = partitionLog.logEndOffset();
        if (Files.exists(copyMarker())) {
            // A copy restarted this log at the leader's log start and stopped before it installed its
            // snapshot: no replay can start below that (the entries there are what the copy replaces),
            // the leader asks for the copy again and it resumes from the log end.
            log.warn("{}: a copy from the leader was interrupted; the log holds offsets {} to {}, waiting for "
                    + "the copy to resume", tp, partitionLog.logStartOffset(), replayEnd);
            return;
        }
        if (appliedEnd > replayEnd) {
            throw new IOException(tp + ": snapshot " + snapshot + " covers offsets up to " + appliedEnd
                    + " but the log ends at " + replayEnd + "; the partition log lost flushed data");
        }
        if (!direct && appliedEnd < partitionLog.logStartOffset() && replayEnd > appliedEnd) {
            throw new IOException(tp + ": log starts at " + partitionLog.logStartOffset() + " but the replay would start at "
                    + appliedEnd + "; cannot match replayed entries to deleted batches");
        }
        log.info("{}: initialized at {} with log end {} (replaying from offset {}{})", tp, getLastAppliedTermIndex(),
                replayEnd, appliedEnd, direct ? ", written directly" : "");
    }

    /** Sets how the partition is written from a snapshot's mode ({@link SnapshotPoint#mode}). */
    private void takeMode(String mode) {
        String[] m = mode.isEmpty() ? new String[0] : mode.split(" ");
        synchronized (directLock) {
            fetched = m.length > 0 && m[0].equals("fetch");
            direct = fetched || m.length > 0 && m[0].equals("direct");
            inSyncReplicas = fetched && m.length > 1 && m[1].startsWith("isr=")
                    ? Arrays.stream(m[1].substring(4).split(",")).map(Integer::valueOf).toList() : null;
        }
    }

    /** The mode part of a snapshot file and point, from this replica's state now. */
    private String mode() {
        List<Integer> isr = inSyncReplicas;
        return fetched ? "fetch" + (isr == null ? "" : " isr=" + isr.stream().map(String::valueOf)
                .collect(java.util.stream.Collectors.joining(","))) : direct ? "direct" : "";
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    /**
     * The answer to the read barrier ({@link Proposals#awaitCommitted}): Ratis calls it once
     * this replica has applied up to the read index, so by then the local log holds every committed
     * entry of that moment. Answers the local high watermark, 8 bytes big-endian, then one byte: 1
     * when this replica leads the group now (a fetched follower's read barrier needs the leader's
     * high watermark, and Ratis may serve a read-only request on a follower), else 0.
     */
    @Override
    public CompletableFuture<Message> query(Message request) {
        RaftServer.Division self = member();
        // A leader left out of the in-sync set may lack acknowledged records: it does not count as leading.
        boolean leads = self != null && self.getInfo().isLeader()
                && inSync(Integer.parseInt(self.getId().toString()));
        byte[] answer = java.nio.ByteBuffer.allocate(Long.BYTES + 1).putLong(partitionLog.highWatermark())
                .put((byte) (leads ? 1 : 0)).array();
        return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(answer)));
    }

    /**
     * Ratis closes this group member when an apply or a snapshot throws (its state machine updater stops): the
     * replica has left its group, whatever the step that failed (a batch's append, a mode entry's truncation, a
     * snapshot's flush of a log closed under it). Every such failure is reported ({@link FailedReplicas}), or the
     * node would stay ready, and count as hosting the partition, with a replica that no longer follows anything.
     */
    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        try {
            return applyEntry(trx);
        } catch (RuntimeException e) {
            onStorageFailure.accept(e);
            throw e;
        }
    }

    private CompletableFuture<Message> applyEntry(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        byte[] bytes = entry.getStateMachineLogEntry().getLogData().toByteArray();
        ModeEntry mode = ModeEntry.decode(bytes);
        InSyncEntry inSync = mode == null ? InSyncEntry.decode(bytes) : null;
        List<KeyedBatch> parts = mode == null && inSync == null ? KeyedBatch.partsOf(bytes) : List.of();
        byte[] reply;
        if (mode != null) {
            reply = applyMode(mode, entry.getTerm());
        } else if (inSync != null) {
            reply = applyInSync(inSync);
        } else if (direct) {
            // Deterministic on every replica and on a replay: the batch was not written.
            reply = parts.size() == 1 ? ApplyReply.writtenDirectly()
                    : ApplyReply.multi(Collections.nCopies(parts.size(), ApplyReply.writtenDirectly()));
        } else if (parts.size() == 1) {
            reply = apply(parts.get(0), entry.getTerm());
        } else {
            List<byte[]> replies = new ArrayList<>(parts.size());
            for (KeyedBatch part : parts) {
                replies.add(apply(part, entry.getTerm()));
            }
            reply = ApplyReply.multi(replies);
        }
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        if (!journalPending.isEmpty()) {
            restorePending(entry.getIndex());
        }
        return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(reply)));
    }

    /**
     * Applies a mode entry; answers an empty reply. A REPLICATED entry names the log end at the
     * switch: the leader's log ends there, a replaying replica's log holds at least that much (its
     * direct writes before the stop), and the cursor resumes there. A replica whose log ends below
     * it lacks batches that were never Raft entries (a member that was sent the entries instead of
     * copying the leader's log): it must not go on, so this is a storage failure of the replica.
     * A fetched follower that was out of the in-sync set is first brought to that end
     * ({@link #settleFetchedLog}). A mode entry that changes nothing (a repeated switch) is ignored.
     */
    private byte[] applyMode(ModeEntry mode, long term) {
        synchronized (directLock) {
            if (mode.direct()) {
                if (!direct || fetched != mode.fetch()) {
                    log.info(mode.fetch() ? "{}: written by its leader and fetched by its followers from now on"
                            : "{}: written directly from now on (its only replica)", tp);
                    snapshotAfterSwitch = false;
                }
                if (mode.fetch() && !fetched) {
                    // Every replica applied the entries before this one: its log ends where the leader's does.
                    partitionLog.highWatermarkByReplication(partitionLog.logEndOffset());
                } else if (!mode.fetch() && fetched) {
                    partitionLog.highWatermarkByAppends();
                }
                if (!fetched || !mode.fetch()) {
                    everyReplicaInSync(); // every replica holds the log end at a switch
                }
                direct = true;
                fetched = mode.fetch();
                // No entry is matched against stored batches while written directly: retention and
                // compaction may take any closed segment (see load()).
                partitionLog.limitCleanup(Long.MAX_VALUE);
                if (mode.argument() == seals) {
                    sealing = false; // proposed after this node's latest stop, not an older entry applied late
                }
            } else if (direct) {
                if (fetched) {
                    settleFetchedLog(mode.logEnd(), term);
                }
                long end = partitionLog.logEndOffset();
                if (end < mode.logEnd()) {
                    IllegalStateException e = new IllegalStateException(tp + ": the partition was written directly up to "
                            + mode.logEnd() + " but this replica's log ends at " + end
                            + "; it must copy the leader's log instead of following its entries");
                    onStorageFailure.accept(e);
                    throw e;
                }
                snapshotAfterSwitch = false;
                if (fetched) {
                    fetched = false;
                    everyReplicaInSync();
                    partitionLog.highWatermarkByAppends();
                }
                direct = false; // stops stay on until a DIRECT naming the latest one (a late older DIRECT must not resume)
                appliedEnd = mode.logEnd();
                partitionLog.limitCleanup(appliedEnd);
                log.info("{}: written through Raft entries again from offset {}", tp, appliedEnd);
            }
        }
        return new byte[0];
    }

    /**
     * At the switch of a fetched partition back to Raft entries (a REPLICATED entry of {@code term}
     * naming log end {@code end}), makes this replica's log end exactly there: batches past it of an
     * epoch before {@code term} are a suffix of an earlier leader that the switching leader never had
     * (unacknowledged) and are dropped; batches past it of a later epoch are this replica's own
     * appends of later entries, found again by a replay. A log that ends below it copies the
     * missing batches ({@link LaggingReplicaCatchUp}); when that fails, the caller's check makes it a
     * storage failure of this replica.
     */
    private void settleFetchedLog(long end, long term) {
        if (partitionLog.logEndOffset() > end) {
            long olderEpochsEnd = partitionLog.endOffsetForEpoch((int) Math.min(term - 1, Integer.MAX_VALUE))
                    .endOffset();
            if (olderEpochsEnd > end) {
                log.warn("{}: dropping offsets {} to {}, written by an earlier leader past the log end {} of the switch "
                        + "back to Raft entries", tp, end, partitionLog.logEndOffset(), end);
                partitionLog.truncateTo(end);
                replayEnd = Math.min(replayEnd, end);
            }
            return;
        }
        if (partitionLog.logEndOffset() == end) {
            return;
        }
        RaftServer.Division self = member();
        List<String> peers = new ArrayList<>();
        if (self != null) {
            org.apache.ratis.protocol.RaftPeerId leader = self.getInfo().getLeaderId();
            List<org.apache.ratis.protocol.RaftPeerId> ids = new ArrayList<>();
            if (leader != null) {
                ids.add(leader);
            }
            self.getRaftConf().getCurrentPeers().forEach(p -> {
                if (!ids.contains(p.getId())) {
                    ids.add(p.getId());
                }
            });
            ids.remove(self.getId());
            ids.forEach(id -> peers.add(httpBaseOf.apply(Integer.parseInt(id.toString()))));
        }
        try {
            LaggingReplicaCatchUp.catchUp(tp, partitionLog, end, peers, authorization, copyThrottle,
                    Duration.ofMinutes(2));
        } catch (IOException | RuntimeException e) {
            log.error("{}: could not copy the batches up to {} this replica lacks: {}", tp, end, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        replayEnd = Math.min(replayEnd, partitionLog.logEndOffset());
    }

    /** Whether this replica's partition is written directly now ({@link ModeEntry}): DIRECT or FETCH. */
    boolean direct() {
        return direct;
    }

    /** Whether the partition is written by its leader and fetched by its followers now (FETCH). */
    boolean fetched() {
        return fetched;
    }

    /**
     * Records the in-sync set an {@link InSyncEntry} names (while FETCH; an entry applied after the
     * partition switched away from FETCH is stale and ignored). On the leader that proposed it, the
     * high watermark follows the new set at once.
     */
    private byte[] applyInSync(InSyncEntry entry) {
        if (!fetched) {
            log.info("{}: in-sync set {} of term {} ignored: the partition is not fetched (any more)", tp,
                    entry.replicas(), entry.term());
            return new byte[0];
        }
        List<Integer> before = inSyncReplicas;
        inSyncReplicas = entry.replicas();
        synchronized (progressLock) {
            if (progress != null) {
                progress.recorded(Set.copyOf(entry.replicas()), entry.term() == progressTerm ? entry.sequence() : -1);
            }
        }
        log.info("{}: in-sync replicas {} (before: {}), recorded by the leader of term {}", tp, entry.replicas(),
                before == null ? "every replica" : before, entry.term());
        return new byte[0];
    }

    /**
     * At a switch of mode: no in-sync entry applies any more (every replica holds the log end), and the leader's
     * view of its followers is made anew at its next use. Within a term a move goes FETCH, Raft entries, FETCH
     * again: a view kept across that would still leave out a follower it had dropped before the move, which the
     * recorded set now counts in sync, and the high watermark would pass what that follower holds.
     */
    private void everyReplicaInSync() {
        inSyncReplicas = null;
        synchronized (progressLock) {
            progress = null; // progressTerm and the proposals' count stay: numbers go on rising within a term
        }
    }

    /** The in-sync replicas as recorded while FETCH, ascending; null when every replica is in sync. */
    List<Integer> inSyncReplicas() {
        return inSyncReplicas;
    }

    /** Whether node {@code id} is in sync (always, unless an {@link InSyncEntry} left it out since the switch). */
    boolean inSync(int id) {
        List<Integer> recorded = inSyncReplicas;
        return recorded == null || recorded.contains(id);
    }

    /**
     * The leader's view of its followers for {@code term} (the epoch it leads in): made anew when the
     * term changes, with the followers the recorded in-sync set names in sync at first; told of a move's
     * change of the followers within the term.
     */
    ReplicaProgress progress(long term, Set<Integer> followers, Duration lagTime) {
        synchronized (progressLock) {
            if (progress == null || progressTerm != term) {
                Set<Integer> inSync = new java.util.TreeSet<>(followers);
                inSync.removeIf(id -> !inSync(id));
                progress = new ReplicaProgress(partitionLog, followers, inSync, lagTime, System::nanoTime);
                if (progressTerm != term) {
                    progressTerm = term;
                    inSyncSequence = 0;
                }
            } else if (!progress.followers().equals(followers)) {
                log.info("{}: followers {} from now on (were {}) in term {}", tp, followers, progress.followers(),
                        term);
                progress.followersChanged(followers);
            }
            return progress;
        }
    }

    /** This leader's view of its followers in {@code term}; null before the first in that term. */
    ReplicaProgress progressIn(long term) {
        synchronized (progressLock) {
            return progressTerm == term ? progress : null;
        }
    }

    /** The number of this leader's next in-sync proposal in {@code term}, from 1; 0 when its view is of another term. */
    int nextInSyncSequence(long term) {
        synchronized (progressLock) {
            return progressTerm == term ? ++inSyncSequence : 0;
        }
    }

    /**
     * Whether the latest snapshot was taken after the latest switch ({@link ModeEntry}). The leader
     * takes one right after each: after DIRECT, so a restart replays no entry from before it, whose
     * batches retention may have deleted meanwhile (the replay would have nothing to match them
     * against); after REPLICATED, before a member is added, so that member copies the log up to a
     * point past the switch and never follows an entry of the time the partition was written
     * directly (it would append a batch that the leader refused then).
     */
    boolean snapshotAfterSwitch() {
        return snapshotAfterSwitch;
    }

    /**
     * Stops direct appends before a REPLICATED entry is proposed; answers the log end from which no
     * direct append can add anything (every direct append runs under the same lock). Only a DIRECT
     * entry that names this stop ({@link #stops}) resumes them.
     */
    long seal() {
        synchronized (directLock) {
            sealing = true;
            seals++;
            return partitionLog.logEndOffset();
        }
    }

    /** The number of the latest stop of direct appends here, for the DIRECT entry that resumes them. */
    long stops() {
        synchronized (directLock) {
            return seals;
        }
    }

    /** Whether direct appends are stopped here ({@link #seal}) until a DIRECT entry resumes them. */
    boolean sealing() {
        return sealing;
    }

    /**
     * Appends one part (a batch, keyed or not) straight to the partition log when this replica is
     * written directly; answers its {@link ApplyReply}, or null when the partition is not written
     * directly (or is being switched back), so the caller sends it as a Raft entry. The caller
     * makes sure this node leads the group and that the group has no other member.
     */
    byte[] appendDirect(byte[] part, long term) {
        List<KeyedBatch> parts = KeyedBatch.partsOf(part);
        synchronized (directLock) {
            if (!direct || sealing) {
                return null;
            }
            return parts.size() == 1 ? apply(parts.get(0), term, false) : null;
        }
    }

    /**
     * Applies one batch of an entry and answers its {@link ApplyReply}. A keyed batch asks the key
     * memory first, on a replay after a restart too: the verdict must be the one the first
     * application reached, and the memory is restored to that point (snapshot, then the replayed
     * entries before this one).
     */
    private byte[] apply(KeyedBatch part, long term) {
        return apply(part, term, appliedEnd < replayEnd);
    }

    /** {@link #apply(KeyedBatch, long)}, replaying against the stored batches or appending. */
    private byte[] apply(KeyedBatch part, long term, boolean replaying) {
        if (part.key() == null) {
            return store(part, term, replaying, null);
        }
        KeyMemory memory = keys;
        // One step for a follower's fetch ({@link #shippedKeys} waits on the memory): a fetch that
        // reads the appended batch also finds its key, or the follower would hold the batch without it.
        synchronized (memory) {
            KeyMemory.Held held = memory.lookup(part.key());
            if (held != null && fetched && !replaying && !KeyMemory.holds(held, this::storedCrcAt)) {
                // Learned from a leader with a batch this replica truncated since (never acknowledged).
                memory.forget(part.key().id());
                held = null;
            }
            if (held != null) {
                return held.fingerprint() == part.key().fingerprint() ? ApplyReply.ok(held.asDuplicate())
                        : ApplyReply.keyReused();
            }
            return store(part, term, replaying, memory);
        }
    }

    /** Appends (or replays) a batch; a stored keyed batch's key goes into {@code memory} with its answer. */
    private byte[] store(KeyedBatch part, long term, boolean replaying, KeyMemory memory) {
        AppendResult result;
        try {
            result = replaying ? replay(part.batch()) : append(part.batch(), term);
        } catch (RuntimeException e) {
            byte[] refused = ApplyReply.refused(e);
            if (refused == null) {
                // A storage failure: this replica can no longer follow the group's order. Ratis
                // closes this group member when apply throws; the node stops serving the partition.
                storageFailed(e);
                throw e;
            }
            return refused; // nothing was written, so the key is not remembered: a retry may write
        }
        if (memory != null) {
            try {
                // Written directly (or by the leader of a fetched partition): no Raft entry will replay the key.
                memory.remember(part.key(), result, result.duplicate() ? KeyMemory.UNKNOWN_CRC
                        : part.batch().storedCrc(), direct);
            } catch (UncheckedIOException e) {
                storageFailed(e);
                throw e;
            }
        }
        return ApplyReply.ok(result);
    }

    /**
     * A storage failure of this replica: reported ({@link FailedReplicas}: not ready, reads go elsewhere). In
     * Ratis's apply Ratis then closes this group member (the apply throws); outside it (a direct or fetched append,
     * a fetch's append, the key journal) this member is closed here the same way, its storage kept, so that it
     * neither leads nor votes nor fetches until its node restarts, and the other replicas go on without it.
     */
    void storageFailed(Throwable e) {
        onStorageFailure.accept(e);
        RaftServer.Division self = member();
        if (direct && self != null) {
            Thread.ofVirtual().name("close-failed-" + tp).start(() -> {
                try {
                    self.close();
                } catch (RuntimeException ex) {
                    log.warn("{}: closing the failed replica's group member failed: {}", tp, ex.toString());
                }
            });
        }
    }

    /** {@link KeyMemory.StoredBatches} over this replica's log. */
    private long storedCrcAt(long offset) {
        if (offset < partitionLog.logStartOffset()) {
            return -2;
        }
        try {
            List<BatchRegion> regions = partitionLog.readRegionsForReplica(offset, 1).regions();
            return !regions.isEmpty() && regions.get(0).baseOffset() == offset ? regions.get(0).storedCrc() : -1;
        } catch (OffsetOutOfRangeException e) {
            return offset < partitionLog.logStartOffset() ? -2 : -1;
        }
    }

    /**
     * The {@code Idempotency-Key} entries of the batches based in {@code [from, to)}, shipped to a
     * follower beside them (layout in {@link KeyMemory}); null when none.
     */
    byte[] shippedKeys(long from, long to) {
        return keys.shipped(from, to);
    }

    /** Takes the entries a leader shipped beside the batches this replica fetched, before it appends them. */
    void learnKeys(byte[] shipped) throws IOException {
        try {
            keys.learn(shipped);
        } catch (UncheckedIOException e) {
            storageFailed(e);
            throw e.getCause();
        }
    }

    /**
     * Opens the key journal and restores the records the loaded memory does not hold: those learnt by the
     * time the entry at {@code loadedIndex} (the snapshot's, -1 without one) was applied go in now, the others
     * wait for the replay of the entry they followed ({@link #restorePending}), as the memory first took them.
     */
    private void restoreJournal(long loadedIndex) throws IOException {
        if (journal != null) {
            journal.close();
        }
        journal = KeyJournal.open(journalFile(), this::lastAppliedIndex);
        KeyMemory memory = keys;
        synchronized (memory) {
            journalPending.clear();
            journal.continueAfter(memory.journalSeq());
            int restored = 0;
            for (KeyJournal.Entry e : journal.takeRead()) {
                if (e.seq() <= memory.journalSeq()) {
                    continue;
                }
                if (e.appliedIndex() <= loadedIndex) {
                    memory.restore(e);
                    restored++;
                } else {
                    journalPending.add(e);
                }
            }
            memory.journalTo(journal);
            if (restored + journalPending.size() > 0) {
                log.info("{}: {} Idempotency-Keys restored from the journal, {} more at their point of the replay",
                        tp, restored, journalPending.size());
            }
        }
    }

    /** Restores the journal records learnt after the entry at {@code index} was first applied. */
    private void restorePending(long index) {
        KeyMemory memory = keys;
        synchronized (memory) {
            for (KeyJournal.Entry e = journalPending.peek(); e != null && e.appliedIndex() <= index;
                 e = journalPending.peek()) {
                try {
                    memory.restore(journalPending.poll());
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            }
        }
    }

    /** The journal records the memory holds, all of them up to the answer (called under the memory's lock). */
    private long journalSeqHeld() {
        KeyJournal.Entry waiting = journalPending.peek();
        return waiting != null ? waiting.seq() - 1 : journal == null ? 0 : journal.lastSeq();
    }

    private long lastAppliedIndex() {
        TermIndex last = getLastAppliedTermIndex();
        return last == null ? -1 : last.getIndex();
    }

    private Path journalFile() {
        return storage.getSnapshotFile(0, 0).toPath().resolveSibling("keys.journal");
    }

    @Override
    public void close() throws IOException {
        try {
            if (journal != null) {
                journal.close();
            }
        } finally {
            super.close();
        }
    }

    private AppendResult append(RecordBatch batch, long term) {
        AppendResult result = partitionLog.appendBatch(batch, (int) Math.min(term, Integer.MAX_VALUE));
        appliedEnd = partitionLog.logEndOffset();
        return result;
    }

    private AppendResult replay(RecordBatch batch) {
        FetchResult stored = partitionLog.read(appliedEnd, 1);
        List<RecordBatch> batches = stored.batches();
        RecordBatch there = batches.isEmpty() ? null : batches.get(0);
        if (there != null && there.baseOffset() == appliedEnd && sameContent(there, batch)) {
            appliedEnd = there.nextOffset();
            return new AppendResult(there.baseOffset(), there.timestamps(), false);
        }
        // Refused or a duplicate when first applied: nothing was stored for it then, nor now.
        throw new io.tributary.ingest.log.DuplicateSequenceException(
                "entry replayed after a restart; its first application stored nothing");
    }

    /** Equal from the magic byte on: the CRC and everything it covers; base offset and epoch may differ. */
    static boolean sameContent(RecordBatch a, RecordBatch b) {
        int from = 16;
        return a.sizeInBytes() == b.sizeInBytes()
                && Arrays.equals(a.array(), a.start() + from, a.start() + a.sizeInBytes(),
                        b.array(), b.start() + from, b.start() + b.sizeInBytes());
    }

    /**
     * The end of what this replica's group vouches for in its log: the applied entries' batches, or, written by
     * the leader and fetched, the high watermark (a follower's fetched appends do not move appliedEnd, only the
     * leader's own do). Past it a log may hold batches no majority took.
     */
    private long vouchedEnd() {
        return fetched ? Math.min(partitionLog.logEndOffset(), partitionLog.highWatermark()) : appliedEnd;
    }

    /** A snapshot that fails is reported as an apply that fails: see {@link #applyTransaction}. */
    @Override
    public long takeSnapshot() throws IOException {
        try {
            return snapshotNow();
        } catch (IOException | RuntimeException e) {
            onStorageFailure.accept(e);
            throw e;
        }
    }

    private long snapshotNow() throws IOException {
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() < 0) {
            return RaftLog.INVALID_LOG_INDEX;
        }
        long end;
        synchronized (directLock) { // no direct append between reading the end and the producer table
            end = vouchedEnd();
            try {
                partitionLog.flush();
                // The producer state as of this point, for a peer that copies the log up to it. Not while
                // replaying (the table is then ahead of the point); that peer then rebuilds it from what it copies.
                if (!partitionLog.snapshotProducers(end)) {
                    log.info("{}: no producer snapshot at {} (log end {})", tp, end, partitionLog.logEndOffset());
                }
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
        writeSnapshot(last, end);
        return last.getIndex();
    }

    private void writeSnapshot(TermIndex at, long end) throws IOException {
        File file = storage.getSnapshotFile(at.getTerm(), at.getIndex());
        long journaled = writeKeys(file.toPath(), at);
        // Durable before Ratis may purge its log up to this point (a power loss must not leave a
        // purged log behind a snapshot file that was never on disk).
        String mode = mode();
        AtomicFiles.write(file.toPath(), (end + (mode.isEmpty() ? "" : " " + mode)).getBytes(StandardCharsets.UTF_8));
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), at));
        snapshotPoint = new SnapshotPoint(at.getTerm(), at.getIndex(), end, mode);
        snapshotAt = System.nanoTime();
        snapshotAfterSwitch = true;
        partitionLog.limitCleanup(direct ? Long.MAX_VALUE : end);
        log.info("{}: snapshot at {} = offset {}", tp, at, end);
        if (journal != null) {
            try {
                journal.dropThrough(journaled);
            } catch (IOException e) {
                log.warn("{}: the Idempotency-Key journal could not be cut back to the snapshot: {}", tp, e.toString());
            }
        }
    }

    /** Where the key memory of the snapshot file {@code snapshot} lives: beside it. */
    private static Path keysFile(Path snapshot) {
        return snapshot.resolveSibling(snapshot.getFileName() + ".keys");
    }

    /**
     * Writes the key memory of the snapshot at {@code at} (before the snapshot file itself) and
     * deletes the memories of snapshots Ratis has since removed; answers the last journal record it holds.
     */
    private long writeKeys(Path snapshot, TermIndex at) throws IOException {
        KeyMemory memory = keys;
        long changes;
        long journaled;
        byte[] encoded;
        synchronized (memory) { // no key learnt between naming the journal's records and encoding them
            changes = memory.changes();
            journaled = journalSeqHeld();
            encoded = memory.encode(at.getTerm(), at.getIndex(), journaled);
        }
        AtomicFiles.write(keysFile(snapshot), encoded);
        keysAtSnapshot = memory;
        keyChangesAtSnapshot = changes;
        try (DirectoryStream<Path> old = Files.newDirectoryStream(snapshot.getParent(), "snapshot.*.keys")) {
            for (Path p : old) {
                String name = p.getFileName().toString();
                Path of = p.resolveSibling(name.substring(0, name.length() - ".keys".length()));
                if (!p.equals(keysFile(snapshot)) && !Files.exists(of)) {
                    Files.deleteIfExists(p);
                }
            }
        }
        return journaled;
    }

    /** The key memory of a snapshot; empty for a snapshot written before keys were replicated. */
    private KeyMemory readKeys(Path snapshot, long term, long index) throws IOException {
        Path file = keysFile(snapshot);
        if (!Files.exists(file)) {
            log.info("{}: snapshot {} has no Idempotency-Key memory; starting with none", tp, snapshot.getFileName());
            return new KeyMemory();
        }
        KeyMemory loaded = KeyMemory.decode(Files.readAllBytes(file), term, index);
        log.info("{}: {} Idempotency-Keys remembered at snapshot ({}, {})", tp, loaded.size(), term, index);
        return loaded;
    }

    /**
     * The bytes of the key memory of this replica's latest snapshot, if it is {@code (term, index)};
     * empty for a snapshot without one, null when that is not the latest snapshot (any more).
     */
    byte[] snapshotKeys(long term, long index) throws IOException {
        SingleFileSnapshotInfo latest = storage.getLatestSnapshot();
        if (latest == null || latest.getTerm() != term || latest.getIndex() != index) {
            return null;
        }
        Path file = keysFile(latest.getFile().getPath());
        try {
            return Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            return Files.exists(latest.getFile().getPath()) ? new byte[0] : null;
        }
    }

    /**
     * The key memory of {@code node}'s snapshot {@code point}, for a copy of its log up to that point:
     * replicas must hold the same keys at the same point, or a later retry of a key this replica
     * never applied would be appended here alone.
     */
    private KeyMemory fetchKeys(int node, String base, SnapshotPoint point) throws IOException, InterruptedException {
        HttpResponse<byte[]> kr = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/snapshot/keys?term="
                        + point.term() + "&index=" + point.index())).header("Authorization", authorization.get())
                .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (kr.statusCode() != 200) {
            throw new IOException(tp + ": node " + node + " has no Idempotency-Key memory for snapshot " + point
                    + " (" + kr.statusCode() + "); it may have snapshotted since");
        }
        return kr.body().length == 0 ? new KeyMemory() : KeyMemory.decode(kr.body(), point.term(), point.index());
    }

    /**
     * The leader no longer has the Raft entries this replica needs (it purged them after a
     * snapshot; snapshot <em>shipping</em> is disabled because our snapshot is only a pointer into
     * the leader's partition log). Ratis asks the state machine to get there by itself: copy the
     * partition log from the leader up to the leader's latest snapshot point, batch for batch
     * (same bytes, offsets and epochs), record that point as this replica's snapshot, and answer
     * its (term, index); Ratis then pauses this state machine, calls {@link #reinitialize()} and
     * continues with the entries after that index.
     *
     * <p>The copy starts at the end of what this replica's group vouched for in its log (its applied
     * entries, or its high watermark while fetched, and its own snapshot point): up to there its log is a
     * prefix of the leader's (committed data only, same offsets everywhere), empty after a wiped disk.
     * Anything past it is dropped first: a replica that led, or fetched from a leader, may hold batches
     * no majority took, which the next leader replaced with others at the same offsets. When that end is
     * below the leader's log start (its retention deleted the batches in between), this replica's
     * log is first restarted empty at the leader's log start ({@link PartitionLog#resetTo}), and the
     * copy begins there. The producer state comes from the leader as of the snapshot point (its
     * producer snapshot there, {@link PartitionLog#snapshotProducers}), not from the copied batches
     * alone, which lack the producers whose batches retention deleted. The copy asks for 4 MiB
     * chunks and keeps to the node-wide {@code ingest.replication.copy-rate} ({@link ReplicaCopyThrottle}).
     */
    @Override
    public CompletableFuture<TermIndex> notifyInstallSnapshotFromLeader(RoleInfoProto roleInfo,
                                                                        TermIndex firstTermIndexInLog) {
        int leader = Integer.parseInt(roleInfo.getFollowerInfo().getLeaderInfo().getId().getId().toStringUtf8());
        log.info("{}: the leader {} has purged its Raft log up to {}; copying the partition log from it", tp,
                leader, firstTermIndexInLog);
        // A blocking copy over HTTP: on a virtual thread of its own, never on the common pool, which the JDK's HTTP
        // client itself needs (a blocked common pool stalls its first answer on Java 25).
        return CompletableFuture.supplyAsync(() -> {
            try {
                return copyFrom(leader, firstTermIndexInLog);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(tp + ": interrupted while copying from node " + leader, e);
            }
        }, task -> Thread.ofVirtual().name("snapshot-copy-" + tp).start(task));
    }

    private TermIndex copyFrom(int node, TermIndex firstInLeaderLog) throws IOException, InterruptedException {
        String base = httpBaseOf.apply(node) + "/internal/replication/topics/"
                + URLEncoder.encode(tp.topic(), StandardCharsets.UTF_8) + "/partitions/" + tp.partition();
        HttpResponse<String> sr = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/snapshot"))
                .header("Authorization", authorization.get()).timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (sr.statusCode() == 404 && firstInLeaderLog.getIndex() <= 0) {
            // A new member (a reassignment) is asked once to install a snapshot whatever the leader's
            // log holds; a leader that has none and still has its whole log sends the entries
            // instead. Null tells Ratis so (SNAPSHOT_UNAVAILABLE).
            log.info("{}: node {} has no snapshot and its whole Raft log; catching up from the log", tp, node);
            return null;
        }
        if (sr.statusCode() != 200) {
            throw new IOException(tp + ": node " + node + " has no snapshot to copy from (" + sr.statusCode() + " "
                    + sr.body() + ")");
        }
        SnapshotPoint point = SnapshotPoint.decode(sr.body());
        if (point.index() + 1 < firstInLeaderLog.getIndex()) {
            throw new IOException(tp + ": node " + node + "'s snapshot " + point + " is older than its Raft log start "
                    + firstInLeaderLog);
        }
        // Absent from a node of an earlier version: as before, the copy starts at this log's end.
        long leaderStart = sr.headers().firstValue(ReplicaReads.LOG_START).map(Long::parseLong).orElse(0L);
        long end = partitionLog.logEndOffset();
        SnapshotPoint own = snapshotPoint;
        long vouched = Math.max(Math.max(vouchedEnd(), own == null ? 0 : own.offset()), partitionLog.logStartOffset());
        if (end > vouched) {
            // Past what its group vouched for this log may end in batches no majority took (written by it as a
            // leader, or fetched from one, never committed, and replaced by the next leader's: same offsets, other
            // batches), so it is not known to be a prefix of the leader's. That part is dropped and copied again.
            log.info("{}: dropping this log's batches from {} to its end {} (not vouched for by the group) before "
                    + "copying", tp, vouched, end);
            partitionLog.truncateTo(vouched);
            end = partitionLog.logEndOffset();
        }
        if (end < leaderStart && leaderStart <= point.offset()) {
            log.info("{}: this log ends at {}, below node {}'s log start {}; restarting it empty there", tp, end,
                    node, leaderStart);
            // Marked first: a crash between the reset and the installed snapshot must not make load()
            // refuse a log that starts above the replay point (see load()).
            AtomicFiles.write(copyMarker(), Long.toString(leaderStart).getBytes(StandardCharsets.UTF_8));
            partitionLog.resetTo(leaderStart);
            end = leaderStart;
        }
        long copied = 0;
        long copiedBytes = 0;
        while (end < point.offset()) {
            HttpResponse<byte[]> br = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/batches?offset=" + end
                    + "&maxBytes=" + COPY_CHUNK_BYTES)).header("Authorization", authorization.get())
                    .timeout(Duration.ofSeconds(60)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            byte[] bytes = br.body();
            if (br.statusCode() != 200 || bytes.length == 0) {
                throw new IOException(tp + ": copying batches from offset " + end + " off node " + node + " failed ("
                        + br.statusCode() + ")");
            }
            for (int pos = 0; pos < bytes.length && end < point.offset(); ) {
                int size = RecordBatch.sizeAt(bytes, pos);
                RecordBatch batch = RecordBatch.view(bytes, pos, size);
                pos += size;
                if (batch.baseOffset() != end) {
                    throw new IOException(tp + ": node " + node + " sent a batch at " + batch.baseOffset()
                            + " where offset " + end + " was expected (its log starts later?)");
                }
                // Same bytes, offsets and epoch (the Raft term of its entry); the leader already judged
                // the producer sequences, against a producer table this replica may not have.
                partitionLog.appendCopied(batch);
                end = partitionLog.logEndOffset();
                copied++;
            }
            copiedBytes += bytes.length;
            copyThrottle.copied(bytes.length);
        }
        try {
            partitionLog.flush();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        installProducerState(base, node, point);
        TermIndex at = TermIndex.valueOf(point.term(), point.index());
        KeyMemory leaderKeys = fetchKeys(node, base, point);
        synchronized (leaderKeys) {
            // The journal's records were learnt with the log this copy replaced: the snapshot below drops them.
            journalPending.clear();
            journal.continueAfter(leaderKeys.journalSeq()); // the seq the memory names is the leader's count
            leaderKeys.journalTo(journal);
        }
        keys = leaderKeys;
        // The leader's mode at the point, not this replica's: a replica that had not applied the switch to
        // fetched writes yet would otherwise take the entries after the point for the Raft-entry path.
        takeMode(point.mode());
        writeSnapshot(at, point.offset());
        Files.deleteIfExists(copyMarker());
        log.info("{}: copied {} batches ({} bytes) from node {}; installed snapshot {} = offset {}, log starts at {}",
                tp, copied, copiedBytes, node, at, point.offset(), partitionLog.logStartOffset());
        return at;
    }

    /**
     * Replaces this replica's producer table with the leader's as of {@code offset} (this log's end
     * now). Without it (a leader of an earlier version, or one whose snapshot was taken while it was
     * replaying) the table stays as the copied batches built it: after a reset, producers whose
     * batches only the deleted segments held are forgotten here, so a retry of theirs would be
     * written again once this replica leads.
     */
    private void installProducerState(String base, int node, SnapshotPoint point)
            throws IOException, InterruptedException {
        long offset = point.offset();
        if (partitionLog.logEndOffset() != offset) {
            return; // the log already held more than the snapshot point: its own table is the right one
        }
        HttpResponse<byte[]> pr = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/producers?offset=" + offset))
                .header("Authorization", authorization.get()).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (pr.statusCode() == 200) {
            partitionLog.installProducerSnapshot(pr.body());
            copyThrottle.copied(pr.body().length);
        } else if (pr.statusCode() == 404) {
            // The leader keeps the producer snapshot of its latest point only: if it took a newer one
            // meanwhile, this attempt fails and Ratis asks again, resuming from this log's end.
            HttpResponse<String> sr = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/snapshot"))
                    .header("Authorization", authorization.get()).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (sr.statusCode() != 200 || !SnapshotPoint.decode(sr.body()).equals(point)) {
                throw new IOException(tp + ": node " + node + " moved its snapshot point past " + point
                        + " during the copy; copying on to its new point");
            }
            log.warn("{}: node {} has no producer snapshot at offset {}; the producer table is rebuilt from the copied "
                    + "batches only", tp, node, offset);
        } else {
            throw new IOException(tp + ": fetching the producer state at " + offset + " off node " + node + " failed ("
                    + pr.statusCode() + ")");
        }
    }

    /** Present between a copy's reset of the partition log and its installed snapshot (in the Raft storage). */
    private Path copyMarker() {
        return storage.getSnapshotFile(0, 0).toPath().resolveSibling("copy-reset");
    }

    @Override
    public void pause() {
        if (getLifeCycleState() == LifeCycle.State.NEW) {
            // BaseStateMachine leaves the life cycle at NEW; PAUSING is only reachable from RUNNING.
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
        getLifeCycle().transition(LifeCycle.State.PAUSING);
        getLifeCycle().transition(LifeCycle.State.PAUSED);
    }

    /** After a snapshot was installed by {@link #notifyInstallSnapshotFromLeader}: resume from it. */
    @Override
    public void reinitialize() throws IOException {
        load();
        if (getLifeCycleState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }
}
