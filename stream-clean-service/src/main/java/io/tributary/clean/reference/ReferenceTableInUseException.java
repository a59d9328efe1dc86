package io.tributary.clean.reference;

import java.util.List;

public class ReferenceTableInUseException extends RuntimeException {

    public ReferenceTableInUseException(String name, List<String> pipelines) {
        super("reference table '" + name + "' is used by pipeline(s) " + String.join(", ", pipelines));
    }
}
