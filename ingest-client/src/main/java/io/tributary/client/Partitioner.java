package io.tributary.client;

import java.nio.charset.StandardCharsets;

/**
 * Maps a record key to a partition exactly as Kafka's default partitioner does for keyed
 * records: {@code toPositive(murmur2(utf8(key))) % partitions}. Using the same function keeps
 * key placement identical to a Kafka cluster with the same partition count, which matters to
 * users migrating data or comparing results.
 *
 * <p>The ingest service and the client share this class, so a client that partitions records
 * itself (to batch per partition) agrees with the server about where each key lives.
 */
public final class Partitioner {

    private Partitioner() {
    }

    /** Partition for a non-null key among {@code partitions} partitions. */
    public static int partitionForKey(String key, int partitions) {
        return partitionForKey(key.getBytes(StandardCharsets.UTF_8), partitions);
    }

    public static int partitionForKey(byte[] key, int partitions) {
        if (partitions <= 0) {
            throw new IllegalArgumentException("partitions must be positive, was " + partitions);
        }
        return (murmur2(key) & 0x7fffffff) % partitions;
    }

    /** 32-bit murmur2 with Kafka's seed; the hash is part of the wire contract, do not change it. */
    public static int murmur2(byte[] data) {
        final int length = data.length;
        final int seed = 0x9747b28c;
        final int m = 0x5bd1e995;
        final int r = 24;

        int h = seed ^ length;
        final int blocks = length / 4;
        for (int i = 0; i < blocks; i++) {
            final int i4 = i * 4;
            int k = (data[i4] & 0xff) + ((data[i4 + 1] & 0xff) << 8)
                    + ((data[i4 + 2] & 0xff) << 16) + ((data[i4 + 3] & 0xff) << 24);
            k *= m;
            k ^= k >>> r;
            k *= m;
            h *= m;
            h ^= k;
        }

        final int tail = blocks * 4;
        switch (length % 4) {
            case 3:
                h ^= (data[tail + 2] & 0xff) << 16;
                // fall through
            case 2:
                h ^= (data[tail + 1] & 0xff) << 8;
                // fall through
            case 1:
                h ^= data[tail] & 0xff;
                h *= m;
                break;
            default:
                break;
        }

        h ^= h >>> 13;
        h *= m;
        h ^= h >>> 15;
        return h;
    }
}
