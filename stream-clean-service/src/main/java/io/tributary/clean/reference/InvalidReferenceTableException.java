package io.tributary.clean.reference;

public class InvalidReferenceTableException extends RuntimeException {

    public InvalidReferenceTableException(String message) {
        super(message);
    }
}
