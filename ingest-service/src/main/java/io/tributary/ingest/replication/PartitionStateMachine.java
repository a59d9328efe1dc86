package io.tributary.ingest.replication;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.tributary.ingest.log.AppendResult;
import io.tributary.ingest.log.FetchResult;
import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.log.Record;
import io.tributary.ingest.log.RecordBatch;
import io.tributary.ingest.topic.TopicPartition;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of one partition's Raft group: every committed entry is one encoded record
 * batch, appended to this node's {@link PartitionLog} when Ratis applies it. The log therefore
 * holds committed data only, and every replica assigns the same offsets because it applies the
 * same entries in the same order; the idempotent-producer checks run here too, against the
 * same producer state everywhere.
 *
 * <p>Snapshot: flush the log and record {@code (term, index) -> offset after the last applied
 * batch} in a small file; Ratis may then purge its own log up to that index.
 *
 * <p>Restart: Ratis replays the entries after the latest snapshot, but the partition log may
 * already hold some of them (everything written before the stop, not only what the snapshot
 * covered). Apply is made idempotent without a new field in the batch format: while replaying
 * below the log end found at start, an entry whose batch is byte-identical (apart from base
 * offset and leader epoch) to the stored batch at the replay cursor is that batch, and the
 * cursor moves past it; any other entry was refused or a duplicate when first applied (the log
 * is a prefix of the applied entries, and apply is deterministic), so it is skipped again.
 */
final class PartitionStateMachine extends BaseStateMachine {

    private static final Logger log = LoggerFactory.getLogger(PartitionStateMachine.class);

    private final TopicPartition tp;
    private final PartitionLog partitionLog;
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();

    /** Log end found at start: entries whose batches lie below it are already stored. */
    private long replayEnd;
    /** Offset after the last applied entry's batch (the high watermark this group vouches for). */
    private volatile long appliedEnd;

    PartitionStateMachine(TopicPartition tp, PartitionLog log) {
        this.tp = tp;
        this.partitionLog = log;
    }

    TopicPartition topicPartition() {
        return tp;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        appliedEnd = 0;
        SingleFileSnapshotInfo snapshot = storage.getLatestSnapshot();
        if (snapshot != null) {
            File file = snapshot.getFile().getPath().toFile();
            MD5Hash md5 = snapshot.getFile().getFileDigest();
            if (md5 != null) {
                MD5FileUtil.verifySavedMD5(file, md5);
            }
            appliedEnd = Long.parseLong(Files.readString(file.toPath(), StandardCharsets.UTF_8).trim());
            setLastAppliedTermIndex(snapshot.getTermIndex());
        }
        replayEnd = partitionLog.logEndOffset();
        if (appliedEnd > replayEnd) {
            throw new IOException(tp + ": snapshot " + snapshot + " covers offsets up to " + appliedEnd
                    + " but the log ends at " + replayEnd + "; the partition log lost flushed data");
        }
        if (appliedEnd < partitionLog.logStartOffset() && replayEnd > appliedEnd) {
            throw new IOException(tp + ": log starts at " + partitionLog.logStartOffset() + " but the replay would start at "
                    + appliedEnd + "; cannot match replayed entries to deleted batches");
        }
        log.info("{}: initialized at {} with log end {} (replaying from offset {})", tp, getLastAppliedTermIndex(),
                replayEnd, appliedEnd);
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        byte[] bytes = entry.getStateMachineLogEntry().getLogData().toByteArray();
        RecordBatch batch = RecordBatch.view(bytes, 0, bytes.length);
        byte[] reply;
        if (appliedEnd < replayEnd) {
            reply = replay(batch);
        } else {
            reply = append(batch, entry.getTerm());
        }
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(reply)));
    }

    private byte[] append(RecordBatch batch, long term) {
        try {
            AppendResult result = partitionLog.appendBatch(batch, (int) Math.min(term, Integer.MAX_VALUE));
            appliedEnd = partitionLog.logEndOffset();
            return ApplyReply.ok(result);
        } catch (RuntimeException e) {
            byte[] refused = ApplyReply.refused(e);
            if (refused == null) {
                // A storage failure: this replica can no longer follow the group's order.
                throw e;
            }
            return refused;
        }
    }

    private byte[] replay(RecordBatch batch) {
        FetchResult stored = partitionLog.read(appliedEnd, 1);
        List<RecordBatch> batches = stored.batches();
        RecordBatch there = batches.isEmpty() ? null : batches.get(0);
        if (there != null && there.baseOffset() == appliedEnd && sameContent(there, batch)) {
            appliedEnd = there.nextOffset();
            long[] ts = there.records().stream().mapToLong(Record::timestamp).toArray();
            return ApplyReply.ok(new AppendResult(there.baseOffset(), ts, false));
        }
        // Refused or a duplicate when first applied: nothing was stored for it then, nor now.
        return ApplyReply.refused(new io.tributary.ingest.log.DuplicateSequenceException(
                "entry replayed after a restart; its first application stored nothing"));
    }

    /** Equal from the magic byte on: the CRC and everything it covers; base offset and epoch may differ. */
    static boolean sameContent(RecordBatch a, RecordBatch b) {
        int from = 16;
        return a.sizeInBytes() == b.sizeInBytes()
                && Arrays.equals(a.array(), a.start() + from, a.start() + a.sizeInBytes(),
                        b.array(), b.start() + from, b.start() + b.sizeInBytes());
    }

    @Override
    public long takeSnapshot() throws IOException {
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() < 0) {
            return RaftLog.INVALID_LOG_INDEX;
        }
        long end = appliedEnd;
        try {
            partitionLog.flush();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        Files.writeString(file.toPath(), Long.toString(end), StandardCharsets.UTF_8);
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
        log.info("{}: snapshot at {} = offset {}", tp, last, end);
        return last.getIndex();
    }

    @Override
    public void reinitialize() throws IOException {
        throw new IOException(tp + ": installing a snapshot from the leader is not supported yet");
    }
}
