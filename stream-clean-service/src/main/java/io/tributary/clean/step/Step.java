package io.tributary.clean.step;

/**
 * One cleaning rule. Built once from its JSON configuration (which is validated then, see
 * {@link StepFactory}) and applied to many records, possibly from several threads: steps keep
 * no per-record state (dedupe keeps its memory in the record's {@link WorkingRecord#keyMemory()}).
 */
public interface Step {

    /**
     * Transforms the record in place.
     *
     * @return false when the record is filtered out (it goes nowhere)
     * @throws RecordRejectedException when the record cannot pass this step (it goes to the
     *                                 dead-letter topic with the reason)
     */
    boolean apply(WorkingRecord record);
}
