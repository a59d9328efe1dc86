package io.tributary.clean.pipeline;

/** Published after a pipeline was created, replaced, paused, resumed or deleted (and committed). */
public record PipelineChanged(String name) {
}
