package io.tributary.clean.step.validate;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;

import io.tributary.clean.step.RecordRejectedException;
import io.tributary.clean.step.RegexBudget;
import io.tributary.clean.step.RegexBudgetExceededException;
import io.tributary.clean.step.Step;
import io.tributary.clean.step.StepConfig;
import io.tributary.clean.step.StepConfigException;
import io.tributary.clean.step.WorkingRecord;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * {@code {"type":"validate","schema":{...}}}: the record value must satisfy a JSON Schema
 * (draft 2020-12, networknt json-schema-validator). The schema itself is checked against the
 * 2020-12 meta-schema at create time. {@code $ref}s must be local ({@code #...}): a pipeline
 * never makes the service fetch documents from elsewhere.
 *
 * <p>The schema's regular expressions ({@code pattern}, {@code patternProperties}) are the user's
 * code running on every record: they are compiled at create time (an invalid one refuses the
 * step) and matched with a budget of characters read ({@link BoundedRegularExpressionFactory},
 * {@code clean.runner.regex-budget}, {@code regex-budget-per-char}); a match that backtracks past it rejects the record, which
 * then goes to the dead letters, instead of keeping the worker busy.
 */
public final class ValidateStep implements Step {

    /** Checks schemas against the meta-schema: only the meta-schema's own (fixed) patterns run here. */
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    /** Compiles the user's schemas, one registry per regex budget (in practice one). */
    private static final Map<RegexBudget, SchemaRegistry> BOUNDED_REGISTRIES = new ConcurrentHashMap<>();
    /** Longest {@code pattern} / {@code patternProperties} regular expression. */
    static final int MAX_PATTERN_CHARS = 1_000;
    /** Values a new schema is tried against: a schema that cannot even answer for these is refused. */
    private static final List<JsonNode> SAMPLES = List.of(JsonNodeFactory.instance.objectNode(),
            JsonNodeFactory.instance.objectNode().set("a", JsonNodeFactory.instance.objectNode()),
            JsonNodeFactory.instance.arrayNode().add(JsonNodeFactory.instance.objectNode()),
            JsonNodeFactory.instance.nullNode(), JsonNodeFactory.instance.numberNode(0),
            JsonNodeFactory.instance.stringNode("a"));
    private static final Schema META_SCHEMA = REGISTRY.getSchema(
            SchemaLocation.of(SpecificationVersion.DRAFT_2020_12.getDialectId()));
    private static final int MAX_REPORTED_ERRORS = 3;

    private final Schema schema;

    private ValidateStep(Schema schema) {
        this.schema = schema;
    }

    public static ValidateStep from(StepConfig config, RegexBudget regexBudget) {
        config.allowOnly("schema");
        JsonNode schemaNode = config.raw("schema");
        if (schemaNode == null || !(schemaNode.isObject() || schemaNode.isBoolean())) {
            throw new StepConfigException("\"schema\" is required and must be a JSON Schema object");
        }
        refuseRemoteRefs(schemaNode);
        refuseLongPatterns(schemaNode);
        List<Error> problems = META_SCHEMA.validate(schemaNode);
        if (!problems.isEmpty()) {
            throw new StepConfigException("\"schema\" is not a valid draft 2020-12 schema: " + summary(problems));
        }
        SchemaLoops.refuse(schemaNode);
        Schema schema;
        try {
            schema = boundedRegistry(regexBudget).getSchema(schemaNode);
        } catch (RuntimeException | StackOverflowError e) {
            throw new StepConfigException("\"schema\" cannot be compiled: " + e.getMessage(), e);
        }
        // Whatever the static checks missed: a schema that fails on trivial values would fail on records.
        for (JsonNode sample : SAMPLES) {
            try {
                schema.validate(sample);
            } catch (StackOverflowError e) {
                throw new StepConfigException("\"schema\" refers to itself endlessly (validating " + sample
                        + " overflowed the stack)");
            } catch (RuntimeException e) {
                throw new StepConfigException("\"schema\" cannot validate " + sample + ": " + e.getMessage(), e);
            }
        }
        return new ValidateStep(schema);
    }

    private static SchemaRegistry boundedRegistry(RegexBudget regexBudget) {
        return BOUNDED_REGISTRIES.computeIfAbsent(regexBudget, budget -> SchemaRegistry.withDefaultDialect(
                SpecificationVersion.DRAFT_2020_12, registry -> registry.schemaRegistryConfig(SchemaRegistryConfig
                        .builder().regularExpressionFactory(new BoundedRegularExpressionFactory(budget)).build())));
    }

    @Override
    public boolean apply(WorkingRecord record) {
        List<Error> errors;
        try {
            errors = schema.validate(record.value());
        } catch (RegexBudgetExceededException e) {
            throw new RecordRejectedException("schema validation gave up: " + e.getMessage());
        }
        if (!errors.isEmpty()) {
            throw new RecordRejectedException("schema validation failed: " + summary(errors));
        }
        return true;
    }

    private static String summary(List<Error> errors) {
        String shown = errors.stream().limit(MAX_REPORTED_ERRORS).map(Error::toString).collect(Collectors.joining("; "));
        return errors.size() > MAX_REPORTED_ERRORS ? shown + " (and " + (errors.size() - MAX_REPORTED_ERRORS)
                + " more)" : shown;
    }

    private static void refuseLongPatterns(JsonNode node) {
        if (node.isObject()) {
            for (var field : node.properties()) {
                if (field.getKey().equals("pattern") && field.getValue().isString()
                        && field.getValue().stringValue().length() > MAX_PATTERN_CHARS) {
                    throw new StepConfigException("\"schema\": a pattern may have at most " + MAX_PATTERN_CHARS
                            + " characters");
                }
                if (field.getKey().equals("patternProperties") && field.getValue().isObject()) {
                    for (String regex : field.getValue().propertyNames()) {
                        if (regex.length() > MAX_PATTERN_CHARS) {
                            throw new StepConfigException("\"schema\": a pattern may have at most "
                                    + MAX_PATTERN_CHARS + " characters");
                        }
                    }
                }
                refuseLongPatterns(field.getValue());
            }
        } else if (node.isArray()) {
            node.forEach(ValidateStep::refuseLongPatterns);
        }
    }

    private static void refuseRemoteRefs(JsonNode node) {
        if (node.isObject()) {
            for (var field : node.properties()) {
                if ((field.getKey().equals("$ref") || field.getKey().equals("$dynamicRef"))
                        && field.getValue().isString() && !field.getValue().stringValue().startsWith("#")) {
                    throw new StepConfigException("\"schema\" may only use local references (\"#...\"), found "
                            + field.getKey() + " " + field.getValue().stringValue());
                }
                refuseRemoteRefs(field.getValue());
            }
        } else if (node.isArray()) {
            node.forEach(ValidateStep::refuseRemoteRefs);
        }
    }
}
