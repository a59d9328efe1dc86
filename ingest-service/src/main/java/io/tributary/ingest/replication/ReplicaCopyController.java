package io.tributary.ingest.replication;

import java.io.IOException;

import java.io.ByteArrayOutputStream;

import io.tributary.ingest.log.FetchResult;
import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.log.RecordBatch;
import io.tributary.ingest.topic.TopicRegistry;
import io.tributary.support.problem.ProblemResponses;
import io.tributary.problem.ProblemType;
import org.springframework.context.annotation.Conditional;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Node-to-node endpoints used when a replica rebuilds a partition from a peer because the
 * peer's Raft log no longer holds the entries it needs ({@link PartitionStateMachine}'s
 * {@code notifyInstallSnapshotFromLeader}). Not part of the public API; only on a cluster.
 *
 * <ul>
 *   <li>{@code GET .../snapshot}: {@code "<term> <index> <offset>"}, this replica's latest
 *       snapshot point (404 when it hosts no replica or has no snapshot yet), with this replica's
 *       log start offset in the header {@code X-Log-Start-Offset} (a copying replica whose log ends
 *       below it restarts its log there; a caller that ignores the header sees the old answer);</li>
 *   <li>{@code GET .../producers?offset=}: this replica's producer snapshot at {@code offset}, the
 *       idempotent-producer table as of that offset ({@code application/octet-stream}, the layout of
 *       {@code ProducerStateTable.writeSnapshot}); kept for the latest snapshot point, so a copy up to
 *       that point can take the producer state along (404 when there is none at that offset);</li>
 *   <li>{@code GET .../snapshot/keys?term=&index=}: the {@code Idempotency-Key} memory of that
 *       snapshot, the bytes of its {@code .keys} file ({@link KeyMemory}; empty for a snapshot
 *       without one), so that a copy of the log up to the snapshot point carries the memory of
 *       that point; 404 when that snapshot is not this replica's latest any more;</li>
 *   <li>{@code GET .../batches?offset=&maxBytes=}: the stored batches from {@code offset} on,
 *       byte for byte, concatenated ({@code application/octet-stream}; each batch carries its
 *       own length).</li>
 *   <li>{@code GET .../read?offset=&maxBytes=}: like {@code batches}, but within this replica's
 *       range only (416 outside it; offset -1: no batches), with the range in the headers
 *       {@code X-Log-Start-Offset}, {@code X-High-Watermark} and {@code X-Log-End-Offset}; what a
 *       node reads of a partition it hosts no replica of ({@link ReplicaReads}).</li>
 * </ul>
 */
@ProblemResponses({ProblemType.UNAUTHORIZED, ProblemType.FORBIDDEN, ProblemType.UNKNOWN_TOPIC,
        ProblemType.PARTITION_NOT_HOSTED, ProblemType.STORAGE_ERROR})
@RestController
@Conditional(ReplicationEnabledCondition.class)
@RequestMapping("/internal/replication/topics/{topic}/partitions/{partition}")
class ReplicaCopyController {

    private final PartitionViews views;
    private final Proposals proposals;
    private final TopicRegistry topics;

    ReplicaCopyController(PartitionViews views, Proposals proposals, TopicRegistry topics) {
        this.views = views;
        this.proposals = proposals;
        this.topics = topics;
    }

    @GetMapping(value = "/snapshot", produces = MediaType.TEXT_PLAIN_VALUE)
    ResponseEntity<String> snapshot(@PathVariable String topic, @PathVariable int partition) {
        PartitionStateMachine sm = views.localStateMachine(topic, partition);
        PartitionStateMachine.SnapshotPoint point = sm == null || views.replicaFailed(topic, partition) ? null
                : sm.snapshotPoint();
        return point == null ? ResponseEntity.notFound().build() : ResponseEntity.ok()
                .header(ReplicaReads.LOG_START, Long.toString(sm.partitionLog().logStartOffset())).body(point.encode());
    }

    @GetMapping(value = "/producers", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    ResponseEntity<byte[]> producers(@PathVariable String topic, @PathVariable int partition, @RequestParam long offset) {
        PartitionStateMachine sm = views.localStateMachine(topic, partition);
        if (sm == null) {
            return ResponseEntity.notFound().build();
        }
        if (views.replicaFailed(topic, partition)) {
            return ResponseEntity.status(503).build();
        }
        byte[] snapshot = sm.partitionLog().producerSnapshot(offset);
        return snapshot == null ? ResponseEntity.notFound().build() : ResponseEntity.ok(snapshot);
    }

    @GetMapping(value = "/snapshot/keys", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    ResponseEntity<byte[]> snapshotKeys(@PathVariable String topic, @PathVariable int partition,
                                        @RequestParam long term, @RequestParam long index) throws IOException {
        PartitionStateMachine sm = views.localStateMachine(topic, partition);
        byte[] keys = sm == null || views.replicaFailed(topic, partition) ? null : sm.snapshotKeys(term, index);
        return keys == null ? ResponseEntity.notFound().build() : ResponseEntity.ok(keys);
    }

    @GetMapping(value = "/read", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    ResponseEntity<byte[]> read(@PathVariable String topic, @PathVariable int partition, @RequestParam long offset,
                                @RequestParam(defaultValue = "1048576") int maxBytes) {
        PartitionStateMachine sm = views.localStateMachine(topic, partition);
        if (sm == null) {
            return ResponseEntity.notFound().build();
        }
        if (views.replicaFailed(topic, partition)) {
            return ResponseEntity.status(503).build(); // the caller asks another replica
        }
        PartitionLog log = sm.partitionLog();
        // Read your writes for the node that forwarded the read: the bounds and an answer that stops at
        // this replica's high watermark are first confirmed with the leader (PartitionLog.readConfirmed).
        Runnable confirm = () -> proposals.awaitCommitted(topics.get(topic), partition);
        if (offset < log.logStartOffset() || offset > log.highWatermark()) {
            confirm.run(); // bounds only (offset -1), or a position this replica has not reached yet
        }
        FetchResult read = offset >= log.logStartOffset() && offset <= log.highWatermark()
                ? log.readConfirmed(offset, Long.MAX_VALUE, maxBytes, confirm) : null;
        long start = log.logStartOffset();
        long highWatermark = log.highWatermark();
        ResponseEntity.BodyBuilder answer = ResponseEntity.status(offset >= 0 && (offset < start
                        || offset > highWatermark) ? 416 : 200)
                .header(ReplicaReads.LOG_START, Long.toString(start))
                .header(ReplicaReads.HIGH_WATERMARK, Long.toString(highWatermark))
                .header(ReplicaReads.LOG_END, Long.toString(log.logEndOffset()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (read != null && offset >= start && offset <= highWatermark) {
            for (RecordBatch b : read.batches()) {
                out.write(b.array(), b.start(), b.sizeInBytes());
            }
        }
        return answer.body(out.toByteArray());
    }

    @GetMapping(value = "/batches", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    ResponseEntity<byte[]> batches(@PathVariable String topic, @PathVariable int partition,
                                   @RequestParam long offset, @RequestParam(defaultValue = "4194304") int maxBytes) {
        PartitionStateMachine sm = views.localStateMachine(topic, partition);
        if (sm == null) {
            return ResponseEntity.notFound().build();
        }
        if (views.replicaFailed(topic, partition)) {
            return ResponseEntity.status(503).build(); // the caller asks another replica
        }
        PartitionLog log = sm.partitionLog();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (RecordBatch b : log.read(offset, maxBytes).batches()) {
            if (b.nextOffset() <= offset) {
                continue;
            }
            out.write(b.array(), b.start(), b.sizeInBytes());
        }
        return ResponseEntity.ok(out.toByteArray());
    }
}
