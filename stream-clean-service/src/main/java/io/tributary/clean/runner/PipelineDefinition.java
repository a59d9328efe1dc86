package io.tributary.clean.runner;

import io.tributary.clean.process.RecordProcessor;

/** An immutable snapshot of a stored pipeline, compiled, as its workers run it. */
record PipelineDefinition(String name, String source, String sink, String deadLetter, long revision, int parallelism,
                          RecordProcessor processor) {

    /**
     * The consumer group reading one incarnation of the source: {@code clean-<pipeline>-<topicId>}.
     * A re-created source (a new id) is read by a new group, from its beginning, so no offset
     * committed for the deleted topic can apply to the new one. Without an id (an ingest service
     * older than topic ids) just {@code clean-<pipeline>}.
     */
    String group(String sourceTopicId) {
        return "clean-" + name + (sourceTopicId == null ? "" : "-" + sourceTopicId);
    }

    /**
     * The idempotent producer of one source partition of one incarnation of the source:
     * {@code clean-<pipeline>-<source>-<partition>-<topicId>}. The source topic is part of the
     * name so that a pipeline re-pointed at another source does not inherit sequences (source
     * offsets) of the old one, which would make it skip records; its id, so that a deleted and
     * re-created source does not either (its offsets start again at 0). A new producer also
     * starts the partition's dedupe state afresh ({@code DedupeStore} drops state claimed by
     * another producer id).
     */
    String producerName(int sourcePartition, String sourceTopicId) {
        return "clean-" + name + "-" + source + "-" + sourcePartition
                + (sourceTopicId == null ? "" : "-" + sourceTopicId);
    }
}
