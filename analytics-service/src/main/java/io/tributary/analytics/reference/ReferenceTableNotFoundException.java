package io.tributary.analytics.reference;

/** stream-clean-service answered 404 for a reference table a job joins with. */
public class ReferenceTableNotFoundException extends RuntimeException {

    private final String table;

    public ReferenceTableNotFoundException(String table) {
        super("reference table '" + table + "' does not exist in stream-clean-service");
        this.table = table;
    }

    public String table() {
        return table;
    }
}
