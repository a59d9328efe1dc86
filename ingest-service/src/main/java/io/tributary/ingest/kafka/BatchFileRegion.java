package io.tributary.ingest.kafka;

import io.netty.channel.DefaultFileRegion;
import io.tributary.ingest.log.BatchRegion;

/**
 * The records of one stored batch, as Netty writes them: from the segment file straight to the
 * socket ({@code sendfile} on Linux, natively with the epoll transport, through
 * {@link java.nio.channels.FileChannel#transferTo} with NIO). A {@link DefaultFileRegion} because
 * that is the region the epoll transport sends natively; unlike one, releasing it does not close
 * the file, which belongs to the log. A segment cut or closed while the region is sent fails the
 * write (Netty checks the file's size when a transfer makes no progress).
 */
final class BatchFileRegion extends DefaultFileRegion {

    BatchFileRegion(BatchRegion batch) {
        super(batch.file(), batch.recordsPosition(), batch.recordsSize());
    }

    /** {@code count} bytes of a segment file from {@code position}: whole stored batches. */
    BatchFileRegion(java.nio.channels.FileChannel file, long position, long count) {
        super(file, position, count);
    }

    @Override
    protected void deallocate() {
        // the file stays open: it is the segment's
    }
}
