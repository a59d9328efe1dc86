package io.tributary.ingest.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;

/** Issue 10: the producer memory of a partition log stays bounded and survives restarts unchanged. */
class ProducerStateLogTest extends LogTestSupport {

    private static final ProducerStateLimits LIMITS = new ProducerStateLimits(Duration.ofMillis(2_000), 8);
    private static final int PIDS = 30;

    /** Many producers, mostly moving forward in time, over many segments. */
    private static void writeMix(PartitionLog log, long seed, int batches) {
        Random random = new Random(seed);
        long ts = 10_000;
        for (int i = 0; i < batches; i++) {
            long pid = 1 + random.nextInt(PIDS);
            ts += random.nextInt(60) - 10;
            long seq = log.lastSequence(pid) + 1;
            log.append(records(1 + random.nextInt(3), "p" + pid, ts), ProducerBatch.startingAt(pid, (short) 0, seq), 0);
            if (random.nextInt(7) == 0) {
                log.append(records(1, "plain", ts), ProducerBatch.NONE, 0);
            }
        }
    }

    private static List<Long> sequences(PartitionLog log) {
        List<Long> out = new ArrayList<>();
        for (long pid = 1; pid <= PIDS; pid++) {
            out.add(log.lastSequence(pid));
        }
        return out;
    }

    private List<Path> snapshots() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(LogFiles.PRODUCER_SNAPSHOT)).toList();
        }
    }

    @Test
    void aCrashedLogReloadsTheSameProducerTable() throws IOException {
        PartitionLog log = open(smallSegments(), LIMITS);
        writeMix(log, 7, 600);
        assertThat(log.segmentCount()).isGreaterThan(5); // snapshots were written at rolls
        List<Long> before = sequences(log);
        int count = log.producerCount();
        assertThat(count).isBetween(1, 8);
        assertThat(before).contains(-1L); // some expired or were evicted
        log.closeAbruptly();

        PartitionLog reopened = open(smallSegments(), LIMITS);
        assertThat(sequences(reopened)).isEqualTo(before);
        assertThat(reopened.producerCount()).isEqualTo(count);
        // and it goes on deciding the same: the next writes land identically in a log that never stopped
        writeMix(reopened, 8, 100);
        List<Long> afterRestart = sequences(reopened);
        reopened.close();

        Files.walk(dir).sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(dir))
                .forEach(p -> p.toFile().delete());
        PartitionLog steady = open(smallSegments(), LIMITS);
        writeMix(steady, 7, 600);
        writeMix(steady, 8, 100);
        assertThat(sequences(steady)).isEqualTo(afterRestart);
    }

    @Test
    void withoutAnySnapshotTheTableIsRebuiltFromTheLog() throws IOException {
        PartitionLog log = open(smallSegments(), LIMITS);
        writeMix(log, 11, 400);
        List<Long> before = sequences(log);
        int count = log.producerCount();
        log.close();
        for (Path p : snapshots()) {
            Files.delete(p);
        }
        PartitionLog reopened = open(smallSegments(), LIMITS);
        assertThat(sequences(reopened)).isEqualTo(before);
        assertThat(reopened.producerCount()).isEqualTo(count);
    }

    @Test
    void aSnapshotOfTheOldLayoutIsIgnoredAndTheTableRebuiltFromTheLog() throws IOException {
        PartitionLog log = open(smallSegments());
        log.append(records(2, "a", 100), ProducerBatch.startingAt(5, (short) 1, 0), 0);
        log.append(records(2, "b", 101), ProducerBatch.startingAt(5, (short) 1, 2), 0);
        log.close();
        List<Path> written = snapshots();
        assertThat(written).isNotEmpty();
        for (Path p : written) {
            // What the previous version wrote, claiming producer 5 wrote sequences 0..9 at epoch 3.
            ByteBuffer buf = ByteBuffer.allocate(4 + 8 + 2 + 1 + 32 + 4);
            buf.putInt(1).putLong(5).putShort((short) 3).put((byte) 1).putLong(0).putLong(9).putLong(0).putLong(3);
            CRC32C crc = new CRC32C();
            crc.update(buf.array(), 0, buf.position());
            buf.putInt((int) crc.getValue());
            Files.write(p, buf.array());
        }
        PartitionLog reopened = open(smallSegments());
        assertThat(reopened.lastSequence(5)).isEqualTo(3);
        AppendResult retry = reopened.append(records(2, "b", 101), ProducerBatch.startingAt(5, (short) 1, 2), 0);
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.baseOffset()).isEqualTo(2);
    }

    @Test
    void manyProducerIdsKeepThePartitionAtTheCap() throws IOException {
        PartitionLog log = open(smallSegments(), new ProducerStateLimits(Duration.ofDays(7), 50));
        for (long pid = 1; pid <= 400; pid++) {
            log.append(records(1, "x", 1_000 + pid), ProducerBatch.startingAt(pid, (short) 0, 0), 0);
            assertThat(log.producerCount()).isLessThanOrEqualTo(50);
        }
        assertThat(log.producerCount()).isEqualTo(50);
        assertThat(log.lastSequence(350)).isEqualTo(-1);
        assertThat(log.lastSequence(351)).isZero();
        assertThat(log.lastSequence(400)).isZero();
        log.close();
        for (Path p : snapshots()) {
            // count, 50 entries of one batch each, and a little framing: bounded by the cap
            assertThat(Files.size(p)).isLessThan(50 * 64 + 64);
        }
        PartitionLog reopened = open(smallSegments(), new ProducerStateLimits(Duration.ofDays(7), 50));
        assertThat(reopened.producerCount()).isEqualTo(50);
    }
}
