package io.tributary.clean.step.mask;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import io.tributary.clean.step.Fields;
import io.tributary.clean.step.RecordRejectedException;
import io.tributary.clean.step.Step;
import io.tributary.clean.step.StepConfig;
import io.tributary.clean.step.WorkingRecord;
import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Hides a field's content:
 * <ul>
 *   <li>{@code {"type":"mask","field":"/email","method":"hash"}}: lower-case hex SHA-256 of the
 *       configured salt ({@code clean.mask-salt}) followed by the value's text — equal values
 *       stay joinable, the value is not recoverable without the salt;</li>
 *   <li>{@code "method":"redact"}: replaced by {@code "replacement"} (default {@code "***"});</li>
 *   <li>{@code "method":"keep-last","keep":4}: every character but the last {@code keep}
 *       replaced by {@code *}.</li>
 * </ul>
 * Numbers and booleans are masked through their text (a card number sent as a number still
 * becomes a masked string). A missing or null field is left alone. Hashing or keeping the end of
 * an object or array rejects the record; redacting replaces it whole.
 */
public final class MaskStep implements Step {

    private enum Method { HASH, REDACT, KEEP_LAST }

    private final JsonPointer field;
    private final Method method;
    private final int keep;
    /** Longest {@code replacement}. */
    static final int MAX_REPLACEMENT_CHARS = 100;

    private final String replacement;
    private static final HexFormat HEX = HexFormat.of();

    private final byte[] salt;
    /** Never updated after construction; each hash works on a clone, so the step stays thread-safe. */
    private final MessageDigest saltedPrototype;

    private MaskStep(JsonPointer field, Method method, int keep, String replacement, byte[] salt) {
        this.field = field;
        this.method = method;
        this.keep = keep;
        this.replacement = replacement;
        this.salt = salt;
        this.saltedPrototype = sha256Digest();
        saltedPrototype.update(salt);
    }

    public static MaskStep from(StepConfig config, String salt) {
        config.allowOnly("field", "method", "keep", "replacement");
        JsonPointer field = config.pointer("field");
        Method method = switch (config.oneOf("method", null, "hash", "redact", "keep-last")) {
            case "hash" -> Method.HASH;
            case "redact" -> Method.REDACT;
            default -> Method.KEEP_LAST;
        };
        if (method != Method.KEEP_LAST && config.has("keep")) {
            throw new io.tributary.clean.step.StepConfigException("\"keep\" only goes with \"method\":\"keep-last\"");
        }
        if (method != Method.REDACT && config.has("replacement")) {
            throw new io.tributary.clean.step.StepConfigException("\"replacement\" only goes with \"method\":\"redact\"");
        }
        int keep = method == Method.KEEP_LAST ? config.integer("keep", 4, 0, 1_000) : 0;
        String replacement = config.has("replacement") ? config.raw("replacement").asString() : "***";
        if (replacement.length() > MAX_REPLACEMENT_CHARS) {
            throw new io.tributary.clean.step.StepConfigException("\"replacement\" may have at most "
                    + MAX_REPLACEMENT_CHARS + " characters");
        }
        return new MaskStep(field, method, keep, replacement, salt.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public boolean apply(WorkingRecord record) {
        JsonNode value = Fields.get(record.value(), field);
        if (value == null || value.isNull()) {
            return true;
        }
        if (method == Method.REDACT) {
            Fields.set(record.value(), field, JsonNodeFactory.instance.stringNode(replacement));
            return true;
        }
        if (value.isContainer()) {
            throw new RecordRejectedException("cannot mask " + field + ": it is " + Fields.describe(value));
        }
        String text = value.asString();
        String masked = method == Method.HASH ? sha256(text) : keepLast(text);
        Fields.set(record.value(), field, JsonNodeFactory.instance.stringNode(masked));
        return true;
    }

    private String sha256(String text) {
        MessageDigest digest = saltedDigest();
        return HEX.formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** A SHA-256 that has already taken in the salt: a clone of a prototype, cheaper than a new digest. */
    private MessageDigest saltedDigest() {
        try {
            return (MessageDigest) saltedPrototype.clone();
        } catch (CloneNotSupportedException e) {
            MessageDigest digest = sha256Digest();
            digest.update(salt);
            return digest;
        }
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private String keepLast(String text) {
        int codePoints = text.codePointCount(0, text.length());
        if (codePoints <= keep) {
            return text;
        }
        int cut = text.offsetByCodePoints(0, codePoints - keep);
        return "*".repeat(codePoints - keep) + text.substring(cut);
    }
}
