package io.tributary.clean.pipeline;

public class PipelineExistsException extends RuntimeException {

    public PipelineExistsException(String name) {
        super("a pipeline named '" + name + "' exists already");
    }
}
