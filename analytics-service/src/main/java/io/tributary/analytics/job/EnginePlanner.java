package io.tributary.analytics.job;

/**
 * Checks, at create time, that an engine other than the builtin one can run a definition; implemented by that
 * engine's package ({@code spark.SparkPlanner}), so that this package does not depend on it.
 */
public interface EnginePlanner {

    JobEngine engine();

    /** @throws InvalidJobException naming the first part of the definition the engine cannot run */
    void check(CompiledJob job);
}
