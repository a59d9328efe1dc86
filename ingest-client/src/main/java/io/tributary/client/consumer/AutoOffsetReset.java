package io.tributary.client.consumer;

/** Where a group starts reading a partition that has no committed offset. */
public enum AutoOffsetReset {
    EARLIEST("earliest"), LATEST("latest");

    private final String wireValue;

    AutoOffsetReset(String wireValue) {
        this.wireValue = wireValue;
    }

    public String wireValue() {
        return wireValue;
    }
}
