package io.tributary.clean.reference;

public class ReferenceTableNotFoundException extends RuntimeException {

    public ReferenceTableNotFoundException(String name) {
        super("no reference table named '" + name + "'");
    }
}
