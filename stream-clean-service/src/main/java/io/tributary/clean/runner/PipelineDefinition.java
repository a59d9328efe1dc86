package io.tributary.clean.runner;

import io.tributary.clean.process.RecordProcessor;

/** An immutable snapshot of a stored pipeline, compiled, as its workers run it. */
record PipelineDefinition(String name, String source, String sink, String deadLetter, long revision, int parallelism,
                          RecordProcessor processor) {

    String group() {
        return "clean-" + name;
    }

    /**
     * The idempotent producer of one source partition. The source topic is part of the name so
     * that a pipeline re-pointed at another source does not inherit sequences (source offsets)
     * of the old one, which would make it skip records.
     */
    String producerName(int sourcePartition) {
        return "clean-" + name + "-" + source + "-" + sourcePartition;
    }
}
