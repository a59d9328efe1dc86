package io.tributary.clean.step.dedupe;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A dedupe key reduced to the first 128 bits of its SHA-256, so every remembered key costs the
 * same memory and the same row size however long the key text is. Two different keys share a
 * hash with probability about n²/2¹²⁹ — negligible for the bounded state kept here.
 */
public record KeyHash(long high, long low) {

    public static KeyHash of(String keyText) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(keyText.getBytes(StandardCharsets.UTF_8));
            ByteBuffer bytes = ByteBuffer.wrap(digest);
            return new KeyHash(bytes.getLong(), bytes.getLong());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
