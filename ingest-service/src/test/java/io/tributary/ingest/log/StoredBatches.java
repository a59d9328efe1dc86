package io.tributary.ingest.log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A partition's batches as a node stored them, read from its data folder in the test's JVM (with
 * their producer id, epoch and sequences, which no API answers). The node must be stopped.
 */
public final class StoredBatches {

    private StoredBatches() {
    }

    /** Every batch of {@code topic}-{@code partition} under {@code dataDir}, from the log start on. */
    public static List<RecordBatch> read(Path dataDir, String topic, int partition) throws IOException {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (PartitionLog log = PartitionLog.open(topic, partition,
                dataDir.resolve("logs").resolve(topic + "-" + partition), LogConfig.defaults(), scheduler)) {
            List<RecordBatch> out = new ArrayList<>();
            for (RecordBatch b : log.read(log.logStartOffset(), Integer.MAX_VALUE).batches()) {
                byte[] copy = b.copyBytes();
                out.add(RecordBatch.view(copy, 0, copy.length));
            }
            return out;
        } finally {
            scheduler.shutdownNow();
        }
    }
}
