package io.tributary.deployment.fuzz;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The requests made from one operation: a plausible request (see {@link SchemaSamples}) broken in one way each —
 * path tricks, query values of the wrong type or size, body fields missing, extra, of the wrong type, huge, negative,
 * very long or exotic, bodies nested deeply, malformed, empty or of another content type. Which breakages an
 * operation gets, and in which order, follows the seed.
 */
public final class FuzzCases {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Path segment values that try to leave, escape or confuse the route. */
    private static final List<String> PATH_TRICKS = List.of("..", "%2e%2e", "%2E%2e", ".", "a%2Fb", "%2F",
            "..%2F..%2Fapi%2Fv1%2Ftopics", "%252e%252e", "a%5Cb", "%00", "a%20b", "%E5%90%8D%F0%9F%99%82", "FUZZ-Case",
            "-1", "99999999999999999999", "1e309", "0x10", "%7B%7D", "x".repeat(5_000), "a;b=c", "%25");
    /** Query values of the wrong type, size or alphabet. */
    private static final List<String> QUERY_VALUES = List.of("abc", "-1", "-9223372036854775809",
            "99999999999999999999", "1e309", "1.5", "", "%00", "%E5%90%8D", "NaN", "true", "x".repeat(10_000), "%25",
            "[]");
    /** Strings that a field might choke on. */
    private static final List<String> STRINGS = List.of("", " ", "../../etc/passwd", "%2e%2e%2f", "名前🙂\u202e",
            "\u0000", "a\nb", "${jndi:ldap://x}", "'; DROP TABLE pipelines; --", "x".repeat(100_000));
    /** Numbers beyond every bound. */
    private static final List<JsonNode> NUMBERS = List.of(NODES.numberNode(-1), NODES.numberNode(Long.MIN_VALUE),
            NODES.numberNode(new java.math.BigInteger("99999999999999999999999999")), NODES.numberNode(1e308),
            NODES.numberNode(Integer.MAX_VALUE + 1L), NODES.numberNode(0.5));

    private static final String DEEP_PLACEHOLDER = "fuzz-deep-value";

    private final Random random;
    private final SchemaSamples samples;
    private final Map<String, Map<String, String>> fixtures;

    /**
     * @param fixtures per service, the value of each path parameter that names existing data ({@code topic →
     *                 fuzz.quiet}); used only by cases that must be refused
     */
    public FuzzCases(long seed, Map<String, Map<String, String>> fixtures) {
        this.random = new Random(seed);
        this.samples = new SchemaSamples(random);
        this.fixtures = fixtures;
    }

    /** {@code count} cases of the operation. */
    public List<FuzzCase> of(ApiOperation operation, int count) {
        List<Breakage> kinds = new ArrayList<>(List.of(Breakage.values()));
        kinds.removeIf(k -> !k.appliesTo(operation));
        List<FuzzCase> cases = new ArrayList<>();
        for (int i = 0; i < count && !kinds.isEmpty(); i++) {
            if (i % kinds.size() == 0) {
                java.util.Collections.shuffle(kinds, random);
            }
            cases.add(make(operation, kinds.get(i % kinds.size())));
        }
        return cases;
    }

    private FuzzCase make(ApiOperation op, Breakage kind) {
        // Only a request refused whatever the data may name the fixtures; GETs change nothing, so they may too.
        boolean fixture = kind.refusalDue || op.method().equals("GET");
        Map<String, String> path = pathValues(op, fixture && random.nextInt(4) > 0);
        Map<String, String> query = queryValues(op);
        JsonNode body = op.bodySchema() == null ? null : samples.sample(op.bodySchema());
        String contentType = body == null ? null : "application/json";
        String text = body == null ? null : JSON.writeValueAsString(body);
        String what = kind.label;
        switch (kind) {
            case PATH_TRICK -> {
                String name = pick(op.parameters("path")).name();
                String trick = pick(PATH_TRICKS);
                path.put(name, trick);
                what += " " + name + "=" + abbreviate(trick);
            }
            case QUERY_VALUE -> {
                ApiOperation.Parameter parameter = pick(op.parameters("query"));
                List<String> bounds = bounds(parameter.schema());
                // half the time on or just past a bound the document states, else a value of the wrong kind
                String value = !bounds.isEmpty() && random.nextBoolean() ? pick(bounds) : pick(QUERY_VALUES);
                query.put(parameter.name(), value);
                what += " " + parameter.name() + "=" + abbreviate(value);
            }
            case UNKNOWN_QUERY -> query.put("fuzz" + random.nextInt(100), pick(QUERY_VALUES));
            case MISSING_REQUIRED -> {
                String field = pick(required(op.bodySchema()));
                ((ObjectNode) body).remove(field);
                text = JSON.writeValueAsString(body);
                what += " " + field;
            }
            case WRONG_TYPE -> {
                String field = pick(typedRequired(op.bodySchema()));
                JsonNode now = body.get(field);
                ((ObjectNode) body).set(field, now != null && (now.isObject() || now.isArray())
                        ? NODES.booleanNode(true) : NODES.objectNode().put("fuzz", 1));
                text = JSON.writeValueAsString(body);
                what += " " + field;
            }
            case EXTRA_FIELD -> {
                ((ObjectNode) body).put("fuzzExtra" + random.nextInt(100), "x");
                text = JSON.writeValueAsString(body);
            }
            case NUMBER_FIELD, STRING_FIELD, DEEP_FIELD -> {
                // any field at any depth whose sample value is of the kind (a step's "type", a record's value)
                List<Map.Entry<ObjectNode, String>> fields = new ArrayList<>();
                collect(body, kind, fields);
                if (fields.isEmpty()) {
                    // nothing of the kind in this body: an unknown field of it, broken the same way
                    ((ObjectNode) body).put("fuzzField", 1).put("fuzzText", "x");
                    collect(body, kind, fields);
                }
                Map.Entry<ObjectNode, String> field = pick(fields);
                JsonNode value = switch (kind) {
                    case NUMBER_FIELD -> pick(NUMBERS);
                    case STRING_FIELD -> NODES.stringNode(pick(STRINGS));
                    default -> NODES.stringNode(DEEP_PLACEHOLDER);
                };
                field.getKey().set(field.getValue(), value);
                text = JSON.writeValueAsString(body);
                if (kind == Breakage.DEEP_FIELD) {
                    // spliced into the text: Jackson will not write what is nested this deep
                    int depth = 1_000 + random.nextInt(5_000);
                    text = text.replace("\"" + DEEP_PLACEHOLDER + "\"", "[".repeat(depth) + "]".repeat(depth));
                    value = NODES.stringNode(depth + " nested arrays");
                }
                what += " " + field.getValue() + "=" + abbreviate(value.toString());
            }
            case DEEP_NESTING -> {
                int depth = 2_000 + random.nextInt(100_000);
                text = "[".repeat(depth) + "]".repeat(depth);
                what += " (" + depth + ")";
            }
            case MALFORMED -> text = text.substring(0, Math.max(1, text.length() / 2)) + (random.nextBoolean() ? "" : ",}");
            // "null" only where the body is required: an optional body may be null
            case NOT_AN_OBJECT -> text = pick(op.bodyRequired() ? List.of("[]", "42", "null", "\"x\"", "true", "[{}]")
                    : List.of("[]", "42", "\"x\"", "true", "[{}]"));
            case EMPTY_BODY -> text = "";
            case WRONG_CONTENT_TYPE -> {
                // not application/*+json: Spring reads any JSON flavour as JSON, which is no fault
                contentType = pick(List.of("text/plain", "application/xml", "application/x-www-form-urlencoded",
                        "multipart/form-data; boundary=x", "application/octet-stream", "text/csv"));
                what += " " + contentType;
            }
            case NO_CONTENT_TYPE -> contentType = null;
            case PLAUSIBLE -> { }
        }
        return FuzzCase.of(op, what, render(op.path(), path, query), contentType, text, kind.refusalDue);
    }

    /** Path parameters: the fixtures' names when asked and known, else made-up names that exist nowhere. */
    private Map<String, String> pathValues(ApiOperation op, boolean useFixtures) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> known = fixtures.getOrDefault(op.service(), Map.of());
        for (ApiOperation.Parameter p : op.parameters("path")) {
            String fixture = known.get(p.name());
            values.put(p.name(), useFixtures && fixture != null ? fixture
                    : SchemaSamples.type(p.schema()).equals("integer") ? Integer.toString(random.nextInt(3))
                    : "fuzz" + random.nextInt(1_000_000));
        }
        return values;
    }

    private Map<String, String> queryValues(ApiOperation op) {
        Map<String, String> values = new LinkedHashMap<>();
        for (ApiOperation.Parameter p : op.parameters("query")) {
            if (p.required() || random.nextBoolean()) {
                JsonNode sample = samples.sample(p.schema());
                values.put(p.name(), URLEncoder.encode(sample.isString() ? sample.asString() : sample.toString(),
                        StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    /** The path with its values in place (already percent-encoded where they need it) and the query after it. */
    private static String render(String template, Map<String, String> path, Map<String, String> query) {
        String rendered = template;
        for (Map.Entry<String, String> e : path.entrySet()) {
            rendered = rendered.replace("{" + e.getKey() + "}", e.getValue());
        }
        StringBuilder out = new StringBuilder(rendered);
        char separator = '?';
        for (Map.Entry<String, String> e : query.entrySet()) {
            out.append(separator).append(e.getKey()).append('=').append(e.getValue());
            separator = '&';
        }
        return out.toString();
    }

    /** {@code minimum - 1}, {@code minimum}, {@code maximum}, {@code maximum + 1} of a numeric schema, where given. */
    private static List<String> bounds(JsonNode schema) {
        List<String> values = new ArrayList<>();
        for (String bound : new String[] {"minimum", "maximum"}) {
            JsonNode b = schema.path(bound);
            if (b.isNumber()) {
                java.math.BigDecimal v = b.decimalValue();
                values.add(v.toPlainString());
                values.add((bound.equals("minimum") ? v.subtract(java.math.BigDecimal.ONE)
                        : v.add(java.math.BigDecimal.ONE)).toPlainString());
            }
        }
        return values;
    }

    /** The (object, field) pairs under {@code node} whose value suits the breakage. */
    private static void collect(JsonNode node, Breakage kind, List<Map.Entry<ObjectNode, String>> into) {
        if (node instanceof ObjectNode object) {
            for (Map.Entry<String, JsonNode> e : object.properties()) {
                JsonNode v = e.getValue();
                if (kind == Breakage.DEEP_FIELD || (kind == Breakage.NUMBER_FIELD ? v.isNumber() : v.isString())) {
                    into.add(Map.entry(object, e.getKey()));
                }
            }
        }
        node.forEach(child -> collect(child, kind, into));
    }

    private static List<String> required(JsonNode schema) {
        List<String> names = new ArrayList<>();
        schema.path("required").forEach(r -> names.add(r.asString()));
        return names;
    }

    /** Required fields whose schema names a type (a field of any type accepts whatever it gets). */
    private static List<String> typedRequired(JsonNode schema) {
        return required(schema).stream()
                .filter(f -> !SchemaSamples.type(schema.path("properties").path(f)).equals("any")).toList();
    }

    private <T> T pick(List<T> from) {
        return from.get(random.nextInt(from.size()));
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 20) + "...(" + s.length() + " chars)" : s;
    }

    /** The ways a request is broken; {@code refusalDue} where no stored data can make it acceptable. */
    private enum Breakage {
        PATH_TRICK("path trick", false),
        QUERY_VALUE("query value", false),
        UNKNOWN_QUERY("unknown query parameter", false),
        MISSING_REQUIRED("missing required body field", true),
        WRONG_TYPE("wrong type of body field", true),
        EXTRA_FIELD("unknown body field", false),
        NUMBER_FIELD("extreme number in body field", false),
        STRING_FIELD("odd string in body field", false),
        DEEP_FIELD("deeply nested value in body field", false),
        DEEP_NESTING("deeply nested body", true),
        MALFORMED("malformed JSON body", true),
        NOT_AN_OBJECT("body not an object", true),
        EMPTY_BODY("empty body", true),
        WRONG_CONTENT_TYPE("body of another content type", true),
        NO_CONTENT_TYPE("body without content type", false),
        PLAUSIBLE("plausible request", false);

        final String label;
        final boolean refusalDue;

        Breakage(String label, boolean refusalDue) {
            this.label = label;
            this.refusalDue = refusalDue;
        }

        boolean appliesTo(ApiOperation op) {
            JsonNode body = op.bodySchema();
            boolean object = body != null && SchemaSamples.type(body).equals("object");
            return switch (this) {
                case PATH_TRICK -> !op.parameters("path").isEmpty();
                case QUERY_VALUE -> !op.parameters("query").isEmpty();
                case MISSING_REQUIRED -> object && !required(body).isEmpty();
                case WRONG_TYPE -> object && !typedRequired(body).isEmpty();
                case EXTRA_FIELD -> object;
                case NUMBER_FIELD, STRING_FIELD, DEEP_FIELD -> object;
                case DEEP_NESTING, MALFORMED, NOT_AN_OBJECT, WRONG_CONTENT_TYPE, NO_CONTENT_TYPE -> object;
                case EMPTY_BODY -> body != null && op.bodyRequired();
                case UNKNOWN_QUERY, PLAUSIBLE -> true;
            };
        }
    }
}
