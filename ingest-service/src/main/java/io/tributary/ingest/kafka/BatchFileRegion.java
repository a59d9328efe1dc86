package io.tributary.ingest.kafka;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;

import io.netty.channel.FileRegion;
import io.netty.util.AbstractReferenceCounted;
import io.tributary.ingest.log.BatchRegion;

/**
 * The records of one stored batch, as Netty writes them: from the segment file straight to the
 * socket ({@link java.nio.channels.FileChannel#transferTo}, {@code sendfile} on Linux). Releasing it
 * does not close the file, which belongs to the log.
 */
final class BatchFileRegion extends AbstractReferenceCounted implements FileRegion {

    private final BatchRegion batch;
    private long transferred;

    BatchFileRegion(BatchRegion batch) {
        this.batch = batch;
    }

    @Override
    public long position() {
        return 0;
    }

    @Override
    @Deprecated
    public long transfered() {
        return transferred;
    }

    @Override
    public long transferred() {
        return transferred;
    }

    @Override
    public long count() {
        return batch.recordsSize();
    }

    @Override
    public long transferTo(WritableByteChannel target, long position) throws IOException {
        long n = batch.transferRecords(position, count() - position, target);
        transferred += n;
        return n;
    }

    @Override
    public BatchFileRegion retain() {
        super.retain();
        return this;
    }

    @Override
    public BatchFileRegion retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public BatchFileRegion touch() {
        return this;
    }

    @Override
    public BatchFileRegion touch(Object hint) {
        return this;
    }

    @Override
    protected void deallocate() {
        // the file stays open: it is the segment's
    }
}
