package io.tributary.client.producer;

/**
 * When the service answers a produce. Only {@link #ALL}: the service acknowledges a write once it
 * is committed (by a majority of the partition's replicas on a cluster), and offers nothing
 * weaker over HTTP.
 */
public enum Acks {
    ALL("all");

    private final String wireValue;

    Acks(String wireValue) {
        this.wireValue = wireValue;
    }

    public String wireValue() {
        return wireValue;
    }
}
