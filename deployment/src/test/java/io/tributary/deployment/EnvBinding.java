package io.tributary.deployment;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Spring Boot's relaxed binding from environment variables, the direction that matters here: which
 * variable names set a given property. {@code ingest.data-dir} is set by {@code INGEST_DATADIR} and
 * by the legacy form {@code INGEST_DATA_DIR}; a list element {@code gateway.security.api-keys[0].name}
 * by {@code GATEWAY_SECURITY_APIKEYS_0_NAME}.
 */
final class EnvBinding {

    private EnvBinding() {
    }

    static Set<String> variablesFor(String property) {
        String dotted = property.replace("[", ".").replace("]", "");
        Set<String> names = new TreeSet<>();
        names.add(dotted.replace("-", "").replace('.', '_').toUpperCase(Locale.ROOT));
        names.add(dotted.replace('-', '_').replace('.', '_').toUpperCase(Locale.ROOT));
        return names;
    }
}
