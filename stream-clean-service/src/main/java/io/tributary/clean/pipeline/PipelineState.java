package io.tributary.clean.pipeline;

/** What the user asked for; the runner's actual state is in the status. */
public enum PipelineState {
    RUNNING,
    PAUSED
}
