package io.tributary.clean.step;

import java.time.Clock;

import io.tributary.clean.step.convert.CastStep;
import io.tributary.clean.step.convert.TimestampStep;
import io.tributary.clean.step.dedupe.DedupeStep;
import io.tributary.clean.step.enrich.EnrichStep;
import io.tributary.clean.step.enrich.ReferenceLookup;
import io.tributary.clean.step.fields.DropStep;
import io.tributary.clean.step.fields.FlattenStep;
import io.tributary.clean.step.fields.InsertStep;
import io.tributary.clean.step.fields.RenameStep;
import io.tributary.clean.step.filter.FilterStep;
import io.tributary.clean.step.mask.MaskStep;
import io.tributary.clean.step.validate.ValidateStep;
import tools.jackson.databind.JsonNode;

/**
 * Builds steps from their JSON configuration ({@code {"type":"cast", ...}}); each step class
 * documents its shape. Every configuration problem is a {@link StepConfigException}.
 *
 * @param maskSalt the salt of {@code mask} hashes
 * @param clock    the processing-time source of {@code insert}
 * @param lookup   reference tables for {@code enrich}
 * @param limits   what records must stay within (value depth, event-time window, regex budget)
 */
public record StepFactory(String maskSalt, Clock clock, ReferenceLookup lookup, RecordLimits limits) {

    public static final java.util.List<String> TYPES = java.util.List.of("validate", "filter", "drop", "rename",
            "insert", "mask", "cast", "timestamp", "flatten", "dedupe", "enrich");

    public StepFactory(String maskSalt, Clock clock) {
        this(maskSalt, clock, ReferenceLookup.NONE);
    }

    public StepFactory(String maskSalt, Clock clock, ReferenceLookup lookup) {
        this(maskSalt, clock, lookup, RecordLimits.DEFAULTS);
    }

    public Step create(JsonNode spec) {
        StepConfig config = new StepConfig(spec);
        return switch (config.type()) {
            case "validate" -> ValidateStep.from(config, limits.regexBudget());
            case "filter" -> FilterStep.from(config);
            case "drop" -> DropStep.from(config);
            case "rename" -> RenameStep.from(config);
            case "insert" -> InsertStep.from(config, clock);
            case "mask" -> MaskStep.from(config, maskSalt);
            case "cast" -> CastStep.from(config);
            case "timestamp" -> TimestampStep.from(config, clock, limits);
            case "flatten" -> FlattenStep.from(config);
            case "dedupe" -> DedupeStep.from(config);
            case "enrich" -> EnrichStep.from(config, lookup);
            default -> throw new StepConfigException("unknown step type \"" + config.type() + "\"; known types: "
                    + String.join(", ", TYPES));
        };
    }
}
