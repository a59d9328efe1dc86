package io.tributary.clean.pipeline;

public class PipelineNotFoundException extends RuntimeException {

    public PipelineNotFoundException(String name) {
        super("no pipeline named '" + name + "'");
    }
}
