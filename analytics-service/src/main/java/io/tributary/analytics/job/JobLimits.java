package io.tributary.analytics.job;

import java.time.Duration;

import io.tributary.analytics.config.AnalyticsProperties;

/**
 * Bounds on a job definition, checked at create ({@link JobDefinitions#compile}); a definition
 * beyond one is a 400 naming the field. See {@link AnalyticsProperties.Limits} for each bound.
 */
public record JobLimits(Duration maxDuration, long maxWindowsPerEvent, int maxPointerChars, int maxGroupBy,
                        int maxAggregations, int maxPercentiles) {

    /** The defaults of {@code analytics.limits}. */
    public static final JobLimits DEFAULTS = new JobLimits(Duration.ofDays(3650), 1_000, 256, 16, 64, 32);

    public static JobLimits of(AnalyticsProperties.Limits limits) {
        return new JobLimits(limits.maxDuration(), limits.maxWindowsPerEvent(), limits.maxPointerChars(),
                limits.maxGroupBy(), limits.maxAggregations(), limits.maxPercentiles());
    }
}
