package io.tributary.clean.pipeline;

/** A pipeline definition that is wrong as a whole (not in one step), e.g. its sink is its source. */
public class InvalidPipelineException extends RuntimeException {

    public InvalidPipelineException(String message) {
        super(message);
    }
}
