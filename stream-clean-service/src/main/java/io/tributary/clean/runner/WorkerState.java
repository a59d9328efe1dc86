package io.tributary.clean.runner;

/** What one worker is doing. */
enum WorkerState {
    STARTING,
    RUNNING,
    WAITING_FOR_SOURCE,
    INGEST_UNAVAILABLE,
    FAILING,
    STOPPED
}
