package io.tributary.client.producer;

/** How many replicas must have a batch before the service answers. */
public enum Acks {
    ALL("all"), LEADER("leader"), NONE("none");

    private final String wireValue;

    Acks(String wireValue) {
        this.wireValue = wireValue;
    }

    public String wireValue() {
        return wireValue;
    }
}
