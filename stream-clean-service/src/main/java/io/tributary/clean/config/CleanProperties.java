package io.tributary.clean.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the cleaning service ({@code clean.*}).
 *
 * @param ingestUrl the ingest API: one base URL, or on a cluster several nodes separated by commas
 *                  ({@code http://ingest-1:8081,http://ingest-2:8081,http://ingest-3:8081}); calls go to one
 *                  node and move to the next when it fails (ingest-client's {@code ClientSettings})
 * @param maskSalt  salt prepended to values hashed by {@code mask} steps; set it per deployment and
 *                  keep it secret, or hashes of guessable values (emails) can be recomputed
 * @param runner    how pipelines run
 * @param ingest    resilience around calls to the ingest service
 */
@ConfigurationProperties("clean")
public record CleanProperties(@DefaultValue("http://localhost:8081") String ingestUrl,
                              @DefaultValue("tributary-default-salt") String maskSalt,
                              @DefaultValue Runner runner,
                              @DefaultValue Ingest ingest) {

    /**
     * @param enabled           run pipelines at all (off for API-only tests and tools)
     * @param reconcileInterval how often running workers are compared with the stored pipelines
     *                          (changes through this instance's API apply at once)
     * @param maxPollRecords    records one worker takes per poll
     * @param pollWait          how long one poll waits for records
     * @param sessionTimeout    group session timeout of a worker
     * @param heartbeatInterval group heartbeat interval of a worker
     * @param requestTimeout    timeout of one ingest request
     * @param maxValueDepth     nesting depth a record value may have (when read and after the steps);
     *                          deeper values are dead-lettered (step {@code parse}) with their JSON
     *                          text as a string value. Keep it at or below ingest's produce limit
     * @param maxFuture         a {@code timestamp} step dead-letters event times more than this after
     *                          processing time
     * @param maxPast           a {@code timestamp} step dead-letters event times more than this before
     *                          processing time
     * @param regexBudget       characters one match of a user regular expression (a validate step's
     *                          {@code pattern} / {@code patternProperties}) may read in one value,
     *                          plus {@code regexBudgetPerChar} per character of the value; a pattern
     *                          that backtracks past it (e.g. {@code (.*a){25}$}) dead-letters the
     *                          record instead of keeping the worker busy for hours
     * @param regexBudgetPerChar further characters a match may read per character of the value: a
     *                          linear match reads each a few times, so long values stay within it
     * @param restartBackoff    first pause before a failed worker (any error, including a
     *                          {@link Error}) starts again; doubled per consecutive failure
     * @param maxRestartBackoff the longest pause between restarts of a failing worker
     */
    public record Runner(@DefaultValue("true") boolean enabled,
                         @DefaultValue("5s") Duration reconcileInterval,
                         @DefaultValue("2000") int maxPollRecords,
                         @DefaultValue("500ms") Duration pollWait,
                         @DefaultValue("10s") Duration sessionTimeout,
                         @DefaultValue("1s") Duration heartbeatInterval,
                         @DefaultValue("30s") Duration requestTimeout,
                         @DefaultValue("100") int maxValueDepth,
                         @DefaultValue("1d") Duration maxFuture,
                         @DefaultValue("3650d") Duration maxPast,
                         @DefaultValue("1000000") long regexBudget,
                         @DefaultValue("100") int regexBudgetPerChar,
                         @DefaultValue("250ms") Duration restartBackoff,
                         @DefaultValue("30s") Duration maxRestartBackoff) {
    }

    /**
     * @param retryAttempts           attempts of one ingest call before the worker backs off
     * @param retryBackoff            first retry delay, doubled per attempt
     * @param failureRateThreshold    percentage of failed calls that opens the circuit breaker
     * @param openWait                how long the open breaker refuses calls before probing again
     */
    public record Ingest(@DefaultValue("5") int retryAttempts,
                         @DefaultValue("100ms") Duration retryBackoff,
                         @DefaultValue("50") float failureRateThreshold,
                         @DefaultValue("5s") Duration openWait) {
    }
}
