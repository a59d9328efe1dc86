package io.tributary.ingest.log;

import java.nio.file.Path;

/**
 * File naming inside a partition directory. Every file of a segment is named after the
 * segment's base offset, zero-padded to 20 digits so that a directory listing sorts in log
 * order: {@code 00000000000000001000.log}, {@code .index}, {@code .timeindex}. Suffixes carry
 * state: {@code .cleaned} is a compaction output not yet swapped in, {@code .deleted} a segment
 * waiting for readers to finish before removal; both are safe to remove at start-up.
 */
final class LogFiles {

    static final String LOG = ".log";
    static final String INDEX = ".index";
    static final String TIME_INDEX = ".timeindex";
    static final String PRODUCER_SNAPSHOT = ".producers";
    static final String CLEANED = ".cleaned";
    static final String DELETED = ".deleted";
    /** Present only between a clean close and the next open: the tail needs no validation. */
    static final String CLEAN_SHUTDOWN = ".clean-shutdown";

    private LogFiles() {
    }

    static String name(long baseOffset, String suffix) {
        return String.format("%020d", baseOffset) + suffix;
    }

    static Path log(Path dir, long baseOffset) {
        return dir.resolve(name(baseOffset, LOG));
    }

    static Path index(Path dir, long baseOffset) {
        return dir.resolve(name(baseOffset, INDEX));
    }

    static Path timeIndex(Path dir, long baseOffset) {
        return dir.resolve(name(baseOffset, TIME_INDEX));
    }

    static Path producerSnapshot(Path dir, long offset) {
        return dir.resolve(name(offset, PRODUCER_SNAPSHOT));
    }

    /** The base offset encoded in a file name such as {@code 00000000000000001000.log}. */
    static long baseOffsetOf(Path file) {
        String name = file.getFileName().toString();
        return Long.parseLong(name.substring(0, name.indexOf('.')));
    }

    static boolean hasSuffix(Path file, String suffix) {
        return file.getFileName().toString().endsWith(suffix);
    }
}
