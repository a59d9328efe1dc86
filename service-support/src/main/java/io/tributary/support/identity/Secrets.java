package io.tributary.support.identity;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.springframework.core.env.Environment;

/**
 * Refuses development and placeholder secrets outside the development profile. The development ("default")
 * profile of each application.yml ships working secrets so that the demo is a one-command start; every other
 * profile must be given real ones. Reusable for any secret (identity keys, mask salts, API keys): call
 * {@link #requireReal} when the secret is bound.
 */
public final class Secrets {

    /** Markers of values that are not secrets: the built-in development values and the usual placeholders. */
    private static final List<String> PLACEHOLDER_MARKERS =
            List.of("dev-only", "tributary-dev", "tributary-default", "replace-me", "replaceme", "change-me", "changeme", "placeholder");

    private Secrets() {
    }

    /** True when no profile, or only the "default" profile, is active: the development setup. */
    public static boolean isDevelopment(Environment environment) {
        String[] active = environment.getActiveProfiles();
        return active.length == 0 || Arrays.stream(active).allMatch("default"::equals);
    }

    /** True for a missing or blank value, a built-in development value or an obvious placeholder. */
    public static boolean isPlaceholder(String value) {
        if (value == null || value.isBlank()) {
            return true;
        }
        String v = value.toLowerCase(Locale.ROOT);
        return PLACEHOLDER_MARKERS.stream().anyMatch(v::contains);
    }

    /**
     * Outside the development profile, fails when {@code value} is missing or a placeholder.
     *
     * @param property the property the value came from, named in the message
     * @throws InsecureSecretException naming the property and the active profiles
     */
    public static void requireReal(Environment environment, String property, String value) {
        if (isDevelopment(environment) || !isPlaceholder(value)) {
            return;
        }
        throw new InsecureSecretException(property, Arrays.asList(environment.getActiveProfiles()),
                value == null || value.isBlank());
    }

    /** A secret a non-development profile must set is missing or still a placeholder. */
    public static final class InsecureSecretException extends IllegalStateException {
        private final String property;

        InsecureSecretException(String property, List<String> profiles, boolean missing) {
            super(property + (missing ? " is not set" : " is a development or placeholder value")
                    + " while profile(s) " + profiles + " are active: set a real secret (only the default, development"
                    + " profile has built-in values)");
            this.property = property;
        }

        /** The offending property. */
        public String property() {
            return property;
        }
    }
}
