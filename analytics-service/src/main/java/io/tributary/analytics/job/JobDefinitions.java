package io.tributary.analytics.job;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.tributary.analytics.engine.AggregateFunction;
import io.tributary.analytics.engine.AggregateSpec;
import io.tributary.analytics.engine.EngineSpec;
import io.tributary.analytics.engine.OutputMode;
import io.tributary.analytics.engine.WindowSpec;
import io.tributary.expressions.ExpressionException;
import io.tributary.expressions.ExpressionSandbox;
import io.tributary.expressions.SandboxedExpression;
import tools.jackson.core.JsonPointer;

/**
 * Checks a {@link JobRequest} beyond its annotations and compiles it. Every refusal is an
 * {@link InvalidJobException} naming the field as a path ({@code window.size},
 * {@code aggregations[1].field}).
 */
public final class JobDefinitions {

    private JobDefinitions() {
    }

    /** Names of topics (as ingest allows them) and of reference tables (as stream-clean allows them). */
    private static final java.util.regex.Pattern TOPIC = java.util.regex.Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final java.util.regex.Pattern TABLE = java.util.regex.Pattern.compile("[a-zA-Z0-9._-]{1,100}");

    /** Compiles with the default {@link JobLimits}. */
    public static CompiledJob compile(JobRequest raw) {
        return compile(raw, JobLimits.DEFAULTS);
    }

    public static CompiledJob compile(JobRequest raw, JobLimits limits) {
        JobRequest request = raw.withDefaults();
        name(request.source(), "source", TOPIC, "a topic name: 1-249 characters of [a-zA-Z0-9._-]");
        pointer(request.eventTime(), "eventTime", limits);
        long delay = duration(request.watermark(), "watermark", true, limits).toMillis();
        WindowSpec window = window(request.window(), limits);
        List<String> groupBy = request.groupBy();
        if (groupBy.size() > limits.maxGroupBy()) {
            throw new InvalidJobException("groupBy", "at most " + limits.maxGroupBy() + " fields, got " + groupBy.size());
        }
        for (int i = 0; i < groupBy.size(); i++) {
            pointer(groupBy.get(i), "groupBy[" + i + "]", limits);
        }
        if (request.aggregations().size() > limits.maxAggregations()) {
            throw new InvalidJobException("aggregations", "at most " + limits.maxAggregations()
                    + " aggregations, got " + request.aggregations().size());
        }
        List<AggregateSpec> aggregates = aggregates(request.aggregations(), limits);
        SandboxedExpression filter = null;
        if (request.filter() != null) {
            try {
                filter = ExpressionSandbox.compile(request.filter());
            } catch (ExpressionException e) {
                throw new InvalidJobException("filter", e.getMessage());
            }
        }
        OutputMode mode = OutputMode.valueOf(request.outputMode().toUpperCase(Locale.ROOT));
        if (mode == OutputMode.APPEND && window instanceof WindowSpec.None) {
            throw new InvalidJobException("outputMode", "append needs a window: a running aggregate never closes");
        }
        boolean availableNow = "available-now".equals(request.trigger().type());
        Duration interval = availableNow ? Duration.ZERO
                : duration(request.trigger().interval() == null ? "PT1S" : request.trigger().interval(),
                "trigger.interval", false, limits);
        CompiledJob.Join join = null;
        if (request.join() != null) {
            JobRequest.JoinRequest j = request.join();
            boolean fromTopic = "topic".equals(j.type());
            String source = fromTopic ? j.topic() : j.table();
            if (source == null || source.isBlank()) {
                throw new InvalidJobException(fromTopic ? "join.topic" : "join.table", "is required for a "
                        + j.type() + " join");
            }
            if ((fromTopic ? j.table() : j.topic()) != null) {
                throw new InvalidJobException(fromTopic ? "join.table" : "join.topic", "only for a "
                        + (fromTopic ? "reference-table" : "topic") + " join");
            }
            name(source, fromTopic ? "join.topic" : "join.table", fromTopic ? TOPIC : TABLE, fromTopic
                    ? "a topic name: 1-249 characters of [a-zA-Z0-9._-]"
                    : "a table name: 1-100 characters of [a-zA-Z0-9._-]");
            pointer(j.key(), "join.key", limits);
            pointer(j.target(), "join.target", limits);
            join = new CompiledJob.Join(fromTopic, source, j.key(), j.target(), "drop".equals(j.missing()));
        }
        EngineSpec engine = new EngineSpec(request.eventTime(), delay, window, groupBy, aggregates, filter, mode);
        return new CompiledJob(request.name(), request.source(), "earliest".equals(request.startingOffsets()),
                engine, availableNow, interval, join, request.output() == null ? null : request.output().topic(),
                JobEngine.parse(request.engine()));
    }

    private static WindowSpec window(JobRequest.WindowRequest window, JobLimits limits) {
        if (window == null) {
            return new WindowSpec.None();
        }
        return switch (window.type()) {
            case "tumbling" -> new WindowSpec.Tumbling(duration(window.size(), "window.size", false, limits).toMillis());
            case "sliding" -> {
                long size = duration(window.size(), "window.size", false, limits).toMillis();
                long slide = duration(window.slide(), "window.slide", false, limits).toMillis();
                if (slide > size) {
                    throw new InvalidJobException("window.slide", "must not be longer than window.size");
                }
                WindowSpec.Sliding sliding = new WindowSpec.Sliding(size, slide);
                if (sliding.windowsPerEvent() > limits.maxWindowsPerEvent()) {
                    throw new InvalidJobException("window.slide", "puts every record into "
                            + sliding.windowsPerEvent() + " windows (window.size / window.slide); at most "
                            + limits.maxWindowsPerEvent() + " are allowed: make the slide longer");
                }
                yield sliding;
            }
            case "session" -> new WindowSpec.Session(duration(window.gap(), "window.gap", false, limits).toMillis());
            default -> throw new InvalidJobException("window.type", "must be tumbling, sliding or session");
        };
    }

    private static List<AggregateSpec> aggregates(List<JobRequest.AggregationRequest> requests, JobLimits limits) {
        List<AggregateSpec> specs = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < requests.size(); i++) {
            JobRequest.AggregationRequest request = requests.get(i);
            String at = "aggregations[" + i + "]";
            if (!names.add(request.name())) {
                throw new InvalidJobException(at + ".name", "'" + request.name() + "' is used twice");
            }
            AggregateFunction function;
            try {
                function = AggregateFunction.parse(request.function());
            } catch (IllegalArgumentException e) {
                throw new InvalidJobException(at + ".function", "'" + request.function()
                        + "' is not one of count, sum, avg, min, max, approx_distinct, percentiles");
            }
            if (request.field() == null || request.field().isEmpty()) {
                if (function.needsField()) {
                    throw new InvalidJobException(at + ".field", function.name().toLowerCase(Locale.ROOT)
                            + " needs a field (a JSON Pointer)");
                }
            } else {
                pointer(request.field(), at + ".field", limits);
            }
            List<Double> ranks = request.percentiles() == null ? List.of() : request.percentiles();
            if (ranks.size() > limits.maxPercentiles()) {
                throw new InvalidJobException(at + ".percentiles", "at most " + limits.maxPercentiles() + " ranks");
            }
            if (function == AggregateFunction.PERCENTILES) {
                if (ranks.isEmpty() || ranks.stream().anyMatch(r -> r == null || r < 0 || r > 1)) {
                    throw new InvalidJobException(at + ".percentiles", "needs ranks between 0 and 1, e.g. [0.5, 0.99]");
                }
            } else if (!ranks.isEmpty()) {
                throw new InvalidJobException(at + ".percentiles", "only for the percentiles function");
            }
            specs.add(new AggregateSpec(request.name(), function, request.field(), ranks));
        }
        return specs;
    }

    private static void name(String text, String field, java.util.regex.Pattern rule, String what) {
        if (text == null || !rule.matcher(text).matches()) {
            throw new InvalidJobException(field, "must be " + what);
        }
    }

    private static void pointer(String text, String field, JobLimits limits) {
        if (text == null || text.isEmpty()) {
            throw new InvalidJobException(field, "must be a JSON Pointer to a field, e.g. \"/ts\"");
        }
        if (text.length() > limits.maxPointerChars()) {
            throw new InvalidJobException(field, "is longer than " + limits.maxPointerChars() + " characters");
        }
        try {
            JsonPointer.compile(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidJobException(field, "'" + text + "' is not a JSON Pointer: it must start with '/'");
        }
    }

    private static Duration duration(String text, String field, boolean zeroAllowed, JobLimits limits) {
        if (text == null || text.isBlank()) {
            throw new InvalidJobException(field, "is required (an ISO-8601 duration such as PT1M)");
        }
        Duration duration;
        try {
            duration = Duration.parse(text);
        } catch (DateTimeParseException e) {
            throw new InvalidJobException(field, "'" + text + "' is not an ISO-8601 duration such as PT1M");
        }
        if (duration.compareTo(limits.maxDuration()) > 0) {
            throw new InvalidJobException(field, "'" + text + "' is longer than the longest allowed duration "
                    + limits.maxDuration());
        }
        if (duration.isNegative() || (!zeroAllowed && duration.isZero()) || duration.toMillis() == 0 && !zeroAllowed) {
            throw new InvalidJobException(field, "must be " + (zeroAllowed ? "zero or more" : "at least 1 ms"));
        }
        return duration;
    }
}
